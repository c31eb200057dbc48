export {
  discoverAgentPackages,
  nodeModulesAbove,
  resolveAgentEntry,
} from "./agents/discover-agent-packages.ts";
export { loadAgentRegistry, MODEL_PREFIX } from "./agents/registry.ts";
export type { RuntimeConfig } from "./config.ts";
export { ConfigError, DEFAULT_DRAIN_SECONDS, loadConfig } from "./config.ts";
export type { ConnectLinks } from "./connect/connect-links.ts";
export { PrefixHasher } from "./conversation/history-key.ts";
export type { AppDatabase } from "./database/app-database.ts";
export { openDatabase } from "./database/open-database.ts";
export { unit as unitVector } from "./knowledge/embedder.ts";
export { KnowledgeBases } from "./knowledge/knowledge-bases.ts";
export { SqliteKnowledgeIndex } from "./knowledge/sqlite-knowledge-index.ts";
export { createLogger } from "./logger.ts";
export { KyselySessionStore } from "./sessions/kysely-session-store.ts";
export { branchOf, readSession, type SessionContents } from "./sessions/read-session.ts";
export type { SessionKey, StoredTurn } from "./sessions/session-store.ts";
export type { RunningRuntime, StartOptions } from "./start-runtime.ts";
export { startRuntime } from "./start-runtime.ts";
export type {
  CredentialSummary,
  CredentialVault,
  NewCredential,
  StoredCredential,
} from "./vault/credential-vault.ts";
