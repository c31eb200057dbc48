import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GoogleGenAI } from "@google/genai";
import { sql } from "kysely";
import { nodeModulesAbove } from "./agents/discover-agent-packages.ts";
import type { ModelClient } from "./agents/loop/gemini-stream.ts";
import { DEFAULT_RETRY_BASE_DELAY_MS, withRetries } from "./agents/loop/retrying-model-client.ts";
import { withTimeouts } from "./agents/loop/timed-model-client.ts";
import { loadAgentRegistry } from "./agents/registry.ts";
import type { RuntimeConfig } from "./config.ts";
import { openDatabase } from "./database/open-database.ts";
import { createApp } from "./http/app.ts";
import type { Logger } from "./logger.ts";
import { KyselySessionStore } from "./sessions/kysely-session-store.ts";
import { SessionLocks } from "./sessions/session-lock.ts";
import { KyselyUserSettingsStore } from "./settings/kysely-user-settings-store.ts";

export interface RunningRuntime {
  /** `http://host:port` the runtime listens on. */
  readonly url: string;
  readonly agents: readonly string[];
  /** Stops accepting requests, ends open ones, closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
  /** Where agent packages are looked for; defaults to every node_modules above the cwd. */
  readonly cwd?: string;
  /** Replaces the Gemini SDK client (tests of the loop use the real SDK against the testkit). */
  readonly modelClient?: ModelClient;
}

/** Wires config, database, agents and HTTP together and starts listening. */
export async function startRuntime(
  config: RuntimeConfig,
  options: StartOptions,
): Promise<RunningRuntime> {
  const { logger } = options;
  const registry = await loadAgentRegistry(
    [...config.agentDirs, ...nodeModulesAbove(options.cwd ?? process.cwd())],
    { maxToolResultBytes: config.maxToolResultBytes },
  );
  const database = await openDatabase({ dataDir: config.dataDir });
  const baseClient =
    options.modelClient ??
    new GoogleGenAI({
      apiKey: config.gemini.apiKey,
      ...(config.gemini.baseUrl ? { httpOptions: { baseUrl: config.gemini.baseUrl } } : {}),
    }).models;
  // Retries outside timeouts: every attempt gets its own first-chunk timer, and our own 504
  // is never retried. Only failures before the first chunk are retried (no duplicated text).
  const modelClient = withRetries(
    withTimeouts(baseClient, {
      firstChunkMs: config.model.firstChunkTimeoutMs,
      idleMs: config.model.idleTimeoutMs,
    }),
    {
      retries: config.model.retries,
      baseDelayMs: DEFAULT_RETRY_BASE_DELAY_MS,
      maxDelayMs: config.model.retryMaxDelayMs,
      onRetry: (info) => logger.warn(info, "retrying the model call"),
    },
  );

  const app = createApp({
    logger,
    runtimeToken: config.runtimeToken,
    maxBodyBytes: config.maxBodyBytes,
    registry,
    turn: {
      client: modelClient,
      sessions: new KyselySessionStore(database.db),
      settings: new KyselyUserSettingsStore(database.db),
      defaultModel: config.gemini.defaultModel,
      defaultMaxSteps: config.maxSteps,
      toolTimeoutMs: config.toolTimeoutMs,
      contextTokens: config.contextTokens,
      locks: new SessionLocks({ waitMs: config.sessionWaitMs }),
    },
    ready: async () => {
      await sql`select 1`.execute(database.db);
    },
  });

  const server = await listen(app, config.host, config.port);
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, agents: registry.names(), dataDir: config.dataDir }, "runtime listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    agents: registry.names(),
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Open streams would keep close() waiting forever; their runs abort on socket close.
          server.closeAllConnections();
        });
        await database.close();
      })();
      return closing;
    },
  };
}

function listen(app: ReturnType<typeof createApp>, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
    // Agents may think and call tools for minutes; Node's 5-minute request timeout would cut them.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
  });
}
