#!/usr/bin/env -S node --import tsx
import { ConfigError, loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startRuntime } from "./start-runtime.ts";
import { startTracing, type Tracing, TracingConfigError } from "./tracing/start-tracing.ts";

/**
 * `agentllm-runtime [--public-only]`: reads the environment, starts, and on SIGINT/SIGTERM drains
 * (new requests refused, running answers finish up to AGENTLLM_DRAIN_SECONDS, then are cut and
 * stored as partial), closes and exits 0; a second signal exits 1 at once. `--public-only`
 * serves the connect pages and OAuth callbacks alone (no internal API, no model calls), on the
 * same database and key as the runtime (`just oauth-callback`).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => arg !== "--public-only");
  if (unknown.length > 0) {
    process.stderr.write(
      `agentllm-runtime: unknown argument ${unknown[0]} (usage: agentllm-runtime [--public-only])\n`,
    );
    process.exit(2);
  }
  const publicOnly = args.includes("--public-only");
  // Compiled (dist/main.js), every package must resolve to its compiled `production` export;
  // without the condition the agents' imports would reach TypeScript that plain node cannot run.
  if (import.meta.url.endsWith(".js") && import.meta.resolve("@agentllm/sdk").endsWith(".ts")) {
    process.stderr.write(
      "agentllm-runtime: the compiled runtime runs as `node --conditions=production packages/runtime/dist/main.js` (run from source: `node --import tsx packages/runtime/src/main.ts`)\n",
    );
    process.exit(2);
  }
  let config: ReturnType<typeof loadConfig>;
  let tracing: Tracing;
  try {
    config = loadConfig(process.env, process.cwd(), { role: publicOnly ? "public" : "runtime" });
    // Before anything is traced; off (and silent) unless OTEL_* variables name an exporter.
    tracing = startTracing(process.env);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof TracingConfigError) {
      process.stderr.write(`agentllm-runtime: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const runtime = await startRuntime(config, { logger, publicOnly });
  if (tracing.enabled) logger.info("tracing on: spans are exported as OTEL_* configures");
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second signal: the operator will not wait for the drain.
      logger.warn({ signal }, "runtime forced to stop before its drain ended");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "runtime stopping");
    runtime
      .drain()
      .then(() => runtime.close())
      // The spans of the last requests leave before the process does.
      .then(() =>
        tracing.shutdown().catch((error: unknown) => {
          // An unreachable collector must not turn a clean stop into a failed one.
          logger.warn({ errorClass: (error as Error)?.name }, "the last spans were not exported");
        }),
      )
      .then(
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
