import path from "node:path";
import { type ChildService, startChildService } from "./child-service.ts";
import { paths, repoRoot } from "./repo-paths.ts";

export interface ProxyOptions {
  /** The runtime the bridge forwards to, and the token it presents. */
  readonly runtimeUrl: string;
  readonly runtimeToken: string;
  readonly masterKey: string;
  /** For the plain Gemini models in the config; the agents never use it. */
  readonly geminiApiKey: string;
  readonly port: number;
  readonly host?: string | undefined;
  /** Default: the repository's proxy_config.yaml. */
  readonly proxyConfig?: string | undefined;
  /** The environment the proxy inherits (default: this process's), before its own variables. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  readonly onLine?: ((line: string) => void) | undefined;
}

/**
 * The real LiteLLM proxy with the bridge, as `just proxy` runs it: LiteLLM's app behind the
 * bridge's guard (bridge/README.md, "The proxy process"), the same arguments as the `litellm`
 * command. Returns at once; wait for `/health/liveliness` before using it.
 */
export function startProxy(options: ProxyOptions): ChildService {
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    AGENTLLM_RUNTIME_URL: options.runtimeUrl,
    AGENTLLM_RUNTIME_TOKEN: options.runtimeToken,
    LITELLM_MASTER_KEY: options.masterKey,
    GEMINI_API_KEY: options.geminiApiKey,
    // Offline start: without it LiteLLM stalls fetching a price list from the internet.
    LITELLM_LOCAL_MODEL_COST_MAP: "True",
    PYTHONUNBUFFERED: "1",
  };
  // DATABASE_URL is the runtime's (Postgres sessions); LiteLLM would take it as its own.
  delete env.DATABASE_URL;
  // The credential key is the runtime's alone: the proxy never needs to read a credential.
  delete env.AGENTLLM_TOKEN_ENCRYPTION_KEY;
  return startChildService({
    name: "litellm",
    command: path.join(path.dirname(paths.litellm), "python"),
    args: [
      "-m",
      "agentllm_bridge.serve",
      "--config",
      options.proxyConfig ?? paths.proxyConfig,
      "--host",
      options.host ?? "127.0.0.1",
      "--port",
      String(options.port),
    ],
    cwd: repoRoot,
    env,
    onLine: options.onLine,
  });
}
