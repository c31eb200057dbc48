/** Test support for other packages' tests (`@agentllm/runtime/testing`); not in the build. */
export { MemoryCredentialVault } from "./memory-credential-vault.ts";
export { type PostgresServer, startPostgresServer } from "./postgres-server.ts";
