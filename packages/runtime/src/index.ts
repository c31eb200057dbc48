export { discoverAgentPackages, nodeModulesAbove } from "./agents/discover-agent-packages.ts";
export { loadAgentRegistry, MODEL_PREFIX } from "./agents/registry.ts";
export type { RuntimeConfig } from "./config.ts";
export { ConfigError, loadConfig } from "./config.ts";
export { createLogger } from "./logger.ts";
export type { RunningRuntime, StartOptions } from "./start-runtime.ts";
export { startRuntime } from "./start-runtime.ts";
