export type { ChildService } from "./child-service.ts";
export { freePort } from "./free-port.ts";
export { paths, repoRoot } from "./repo-paths.ts";
export type { RunningStack, StackOptions } from "./start-stack.ts";
export { BridgeNotInstalledError, DEFAULT_MASTER_KEY, startStack } from "./start-stack.ts";
