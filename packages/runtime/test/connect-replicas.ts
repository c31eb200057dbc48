import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type RunningRuntime, startRuntime } from "../src/start-runtime.ts";
import { REPO_ROOT, RUNTIME_TOKEN, TOKEN_ENCRYPTION_KEY } from "./runtime-harness.ts";

// Runtime replicas behind one Ingress (deploy/kubernetes): they share a Postgres database and
// the vault key, and a user's browser may reach any of them at each step of a connect link.

/** The one address the Ingress serves for all replicas (AGENTLLM_PUBLIC_URL). */
export const PUBLIC_URL = "http://connect.agentllm.test";

export interface Replica {
  readonly runtime: RunningRuntime;
  /** Where this replica's connect pages listen: what the Ingress forwards to. */
  readonly address: string;
}

/** One replica on `databaseUrl`, with `env` on top of the shared settings. */
export async function startReplica(
  databaseUrl: string,
  dataDir: string,
  env: Readonly<Record<string, string>> = {},
): Promise<Replica> {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
  const config = loadConfig({
    AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
    GEMINI_API_KEY: "k",
    GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:9",
    AGENTLLM_RUNTIME_PORT: "0",
    AGENTLLM_PUBLIC_PORT: "0",
    AGENTLLM_PUBLIC_URL: PUBLIC_URL,
    AGENTLLM_DATA_DIR: dataDir,
    AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY,
    DATABASE_URL: databaseUrl,
    AGENTLLM_DATABASE_POOL_SIZE: "2",
    ...env,
  });
  const runtime = await startRuntime(config, { logger, cwd: REPO_ROOT });
  const listening = lines
    .map((line) => JSON.parse(line) as { msg?: string; address?: string })
    .find((line) => line.msg === "connect pages listening");
  return { runtime, address: listening?.address as string };
}

/** A link (absolute, on PUBLIC_URL, or a path) sent to one replica, as the Ingress would. */
export function via(replica: Replica, link: string): string {
  const url = new URL(link, PUBLIC_URL);
  if (url.origin !== PUBLIC_URL) throw new Error(`${link} is not on ${PUBLIC_URL}`);
  return `${replica.address}${url.pathname}${url.search}`;
}
