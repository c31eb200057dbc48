#!/usr/bin/env -S node --import tsx
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startRuntime } from "./start-runtime.ts";

/** `agentllm-runtime`: reads the environment, starts, and stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  // Compiled (dist/main.js), every package must resolve to its compiled `production` export;
  // without the condition the agents' imports would reach TypeScript that plain node cannot run.
  if (import.meta.url.endsWith(".js") && import.meta.resolve("@agentllm/sdk").endsWith(".ts")) {
    process.stderr.write(
      "agentllm-runtime: the compiled runtime runs as `node --conditions=production packages/runtime/dist/main.js` (run from source: `node --import tsx packages/runtime/src/main.ts`)\n",
    );
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`agentllm-runtime: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const runtime = await startRuntime(config, { logger });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "runtime stopping");
    runtime.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "runtime did not stop cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `agentllm-runtime: failed to start: ${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(1);
});
