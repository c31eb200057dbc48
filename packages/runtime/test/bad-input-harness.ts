import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDefaultResponder, type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type RunningRuntime, startRuntime } from "../src/start-runtime.ts";
import { TOKEN_ENCRYPTION_KEY } from "./runtime-harness.ts";

/** The shared secret every request of the bad-input table carries (unless a row says otherwise). */
export const TOKEN = "test-token-0123456789";

/** Small enough that a 413 is cheap, large enough for a 1 MB message and 20k tiny messages. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** The monorepo root: the runtime discovers `agno/demo-agent` in its node_modules. */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface BadInputHarness {
  readonly url: string;
  readonly gemini: FakeGemini;
  /** Levels of every log line the runtime wrote (pino numbers: 50 = error, 60 = fatal). */
  readonly logLevels: readonly number[];
  close(): Promise<void>;
}

/** Fake Gemini + the real runtime in process, on free loopback ports, with a throwaway data dir. */
export async function startBadInputHarness(): Promise<BadInputHarness> {
  // No pause between streamed words: the table has dozens of rows that get an answer.
  const gemini = await startFakeGemini({
    port: 0,
    responder: createDefaultResponder({ delayMs: 0 }),
  });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-bad-input-"));
  const logLevels: number[] = [];
  const logger = createLogger("info", {
    write(line: string) {
      logLevels.push((JSON.parse(line) as { level: number }).level);
    },
  });
  let runtime: RunningRuntime;
  try {
    const config = loadConfig({
      AGENTLLM_RUNTIME_TOKEN: TOKEN,
      AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY,
      AGENTLLM_RUNTIME_PORT: "0",
      AGENTLLM_PUBLIC_PORT: "0",
      GEMINI_API_KEY: "fake-gemini-key",
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      AGENTLLM_DATA_DIR: dataDir,
      AGENTLLM_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    });
    runtime = await startRuntime(config, { logger, cwd: REPO_ROOT });
  } catch (error) {
    await gemini.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: runtime.url,
    gemini,
    logLevels,
    async close() {
      await runtime.close();
      await gemini.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
