import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GoogleGenAI } from "@google/genai";
import { sql } from "kysely";
import { nodeModulesAbove } from "./agents/discover-agent-packages.ts";
import type { ModelClient } from "./agents/loop/gemini-stream.ts";
import { DEFAULT_RETRY_BASE_DELAY_MS, withRetries } from "./agents/loop/retrying-model-client.ts";
import { withTimeouts } from "./agents/loop/timed-model-client.ts";
import { loadAgentRegistry } from "./agents/registry.ts";
import { APPROVAL_KEY_INFO, ApprovalSigner } from "./approval/approval-signer.ts";
import { Approvals } from "./approval/approvals.ts";
import { PendingApprovals } from "./approval/pending-approvals.ts";
import type { RuntimeConfig } from "./config.ts";
import type { ConnectLinks } from "./connect/connect-links.ts";
import { type PublicListener, startPublicListener } from "./connect/start-public-listener.ts";
import { TICKET_KEY_INFO } from "./connect/ticket-signer.ts";
import { openDatabase } from "./database/open-database.ts";
import { AdmissionControl } from "./http/admission/index.ts";
import { createApp } from "./http/app.ts";
import { Drain } from "./http/drain.ts";
import { geminiEmbedder, KnowledgeBases } from "./knowledge/index.ts";
import type { Logger } from "./logger.ts";
import { RuntimeMetrics } from "./metrics/runtime-metrics.ts";
import { timedLocks } from "./metrics/timed-locks.ts";
import { KyselySessionStore } from "./sessions/kysely-session-store.ts";
import { PostgresSessionLocks } from "./sessions/postgres-session-locks.ts";
import { SessionLocks } from "./sessions/session-lock.ts";
import { KyselyUserSettingsStore } from "./settings/kysely-user-settings-store.ts";
import type { CredentialVault } from "./vault/credential-vault.ts";
import { DISCONNECT_TOOL } from "./vault/disconnect-service.ts";
import { KyselyCredentialVault } from "./vault/kysely-credential-vault.ts";
import { reportUndecryptable } from "./vault/undecryptable-credentials.ts";

export interface RunningRuntime {
  /** `http://host:port` the runtime listens on. */
  readonly url: string;
  readonly agents: readonly string[];
  /** Where browsers reach the connect pages. */
  readonly publicUrl: string;
  /** Makes a user's link to connect a toolkit. */
  readonly connectLinks: ConnectLinks;
  /** Every user's credentials, on the app database (closed with it). */
  readonly vault: CredentialVault;
  /**
   * Graceful shutdown's first half (SIGTERM): from now on new requests get 503 and `/readyz`
   * says not ready; resolves once the runs in flight finished, or were cut at
   * `AGENTLLM_DRAIN_SECONDS` and stored their partial answers. Call {@link close} after it.
   */
  drain(): Promise<void>;
  /** Stops accepting requests, ends open ones, closes the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
  /** Where agent packages are looked for; defaults to every node_modules above the cwd. */
  readonly cwd?: string;
  /** Replaces the Gemini SDK client (tests of the loop use the real SDK against the testkit). */
  readonly modelClient?: ModelClient;
  /** Replaces the credential vault (tests of the connect detour use an in-memory one). */
  readonly vault?: CredentialVault;
  /** Replaces the connect links (tests give fixed ones). */
  readonly connectLinks?: ConnectLinks;
  /**
   * The connect pages and OAuth callbacks alone, without the internal API or any model client
   * (`--public-only`): for a deployment that exposes them from a separate process beside the
   * runtime, on the same database and key. `url` is then the public listener's.
   */
  readonly publicOnly?: boolean;
}

/** Wires config, database, agents and HTTP together and starts listening. */
export async function startRuntime(
  config: RuntimeConfig,
  options: StartOptions,
): Promise<RunningRuntime> {
  const { logger } = options;
  const genai = config.gemini.apiKey
    ? new GoogleGenAI({
        apiKey: config.gemini.apiKey,
        ...(config.gemini.baseUrl ? { httpOptions: { baseUrl: config.gemini.baseUrl } } : {}),
      })
    : undefined;
  // Before the knowledge bases: on Postgres their indexes live in this database.
  const database = await openDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
  });
  // The public-only process serves no agent runs, so it indexes nothing.
  const knowledge = options.publicOnly
    ? undefined
    : new KnowledgeBases({
        dataDir: config.dataDir,
        ...(config.databaseUrl !== undefined ? { postgres: database.db } : {}),
        ...(genai ? { embedder: geminiEmbedder(genai.models) } : {}),
        logger,
      });
  const registry = await loadAgentRegistry(
    [...config.agentDirs, ...nodeModulesAbove(options.cwd ?? process.cwd())],
    {
      maxToolResultBytes: config.maxToolResultBytes,
      ...(knowledge ? { knowledge: (agent, folder) => knowledge.toolkitFor(agent, folder) } : {}),
    },
  )
    .then(async (loaded) => {
      await knowledge?.prepare();
      return loaded;
    })
    .catch(async (error: unknown) => {
      await knowledge?.close();
      await database.close();
      throw error;
    });
  const vault =
    options.vault ?? new KyselyCredentialVault(database.db, config.tokenKeys, { logger });
  await reportUndecryptable(database.db, config.tokenKeys, logger);
  // Before the internal API, so whatever builds a run can be handed `publicListener.links`.
  let publicListener: PublicListener;
  try {
    publicListener = await startPublicListener({
      config: config.publicListener,
      // Tickets get their own key, derived from the vault's first key: one secret to manage,
      // and a ticket signature can never be confused with a Fernet token.
      ticketKey: config.tokenKeys.deriveKey(TICKET_KEY_INFO),
      db: database.db,
      registry,
      vault,
      logger,
    });
  } catch (error) {
    await knowledge?.close();
    await database.close();
    throw error;
  }
  logger.info(
    { url: publicListener.url, address: publicListener.address },
    "connect pages listening",
  );
  if (options.publicOnly) {
    let closing: Promise<void> | undefined;
    return {
      url: publicListener.url,
      agents: registry.names(),
      publicUrl: publicListener.url,
      connectLinks: publicListener.links,
      vault,
      // It serves no runs: nothing to wait for.
      drain: () => Promise.resolve(),
      close: () => {
        closing ??= publicListener.close().then(() => database.close());
        return closing;
      },
    };
  }

  const baseClient =
    options.modelClient ??
    (
      genai ??
      new GoogleGenAI({
        apiKey: config.gemini.apiKey,
        ...(config.gemini.baseUrl ? { httpOptions: { baseUrl: config.gemini.baseUrl } } : {}),
      })
    ).models;
  // Not awaited: a search waits for its agent's first indexing (see KnowledgeBases.indexAll).
  void knowledge?.indexAll();
  // One registry per runtime; label values only from what the agents declare.
  const metrics = new RuntimeMetrics({
    agents: registry.names(),
    tools: [
      DISCONNECT_TOOL,
      ...registry.list().flatMap((agent) => [...agent.toolset.byName.keys()]),
    ],
  });
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
      onRetry: (info) => {
        metrics.modelRetries.inc({ status: String(info.status) });
        logger.warn(info, "retrying the model call");
      },
    },
  );

  // On Postgres the lock spans every runtime on the database; SQLite has one runtime per file.
  // Free conversations share one lock connection; a run whose conversation is busy waits on
  // (then holds) one of its own, so admission's run limit bounds those too.
  const sessionLocks = config.databaseUrl
    ? new PostgresSessionLocks({
        connectionString: config.databaseUrl,
        waitMs: config.sessionWaitMs,
        maxConnections: config.admission.maxConcurrentRuns,
        cancelBackend: (pid) => sql`select pg_cancel_backend(${pid})`.execute(database.db),
        onLost: () =>
          logger.warn(
            "a conversation lock's database connection died during a run; the run stops as partial",
          ),
      })
    : new SessionLocks({ waitMs: config.sessionWaitMs });
  const drain = new Drain();
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
      tools: config.tools,
      contextTokens: config.contextTokens,
      maxSessionBytes: config.maxSessionBytes,
      locks: timedLocks(sessionLocks, metrics),
      vault,
      connectLinks: options.connectLinks ?? publicListener.links,
      google: publicListener.google,
      validateTimeoutMs: config.publicListener.validateTimeoutMs,
      // Signed with their own key, derived like the tickets' (one secret to manage).
      approvals: new Approvals({
        store: new PendingApprovals(database.db),
        signer: new ApprovalSigner(config.tokenKeys.deriveKey(APPROVAL_KEY_INFO)),
        ttlSeconds: config.approvalTtlSeconds,
      }),
    },
    ready: async () => {
      await sql`select 1`.execute(database.db);
    },
    admission: new AdmissionControl(config.admission, {
      onRefused: (reason) => metrics.admissionRejections.inc({ reason }),
    }),
    metrics,
    drain,
  });

  const server = await listen(app, config.host, config.port, config.connections);
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, agents: registry.names(), dataDir: config.dataDir }, "runtime listening");

  let closing: Promise<void> | undefined;
  let draining: Promise<void> | undefined;
  return {
    url,
    agents: registry.names(),
    publicUrl: publicListener.url,
    connectLinks: publicListener.links,
    vault,
    drain: () => {
      draining ??= (async () => {
        drain.begin();
        // Idle keep-alive connections go now; busy ones close after their answer (or 503).
        server.closeIdleConnections();
        const running = drain.running;
        if (running > 0) {
          logger.info({ running, deadlineSeconds: config.drainSeconds }, "draining runs");
        }
        const outcome = await drain.settle(config.drainSeconds * 1000);
        if (running > 0 || outcome.cut > 0) logger.info(outcome, "drained");
        if (outcome.abandoned > 0) {
          logger.warn(outcome, "runs still going after the drain; closing under them");
        }
      })();
      return draining;
    },
    close: () => {
      closing ??= (async () => {
        await publicListener.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Open streams would keep close() waiting forever; their runs abort on socket close.
          server.closeAllConnections();
        });
        // Before the database: a cancelled wait may still need it.
        if (sessionLocks instanceof PostgresSessionLocks) await sessionLocks.close();
        // Knowledge first: on Postgres a sync in flight still writes through the database.
        await knowledge?.close();
        await database.close();
      })();
      return closing;
    },
  };
}

/**
 * Node's own clocks bound every connection: `headersTimeout` the headers (also of a connection
 * that sends nothing), `requestTimeout` the whole request with its body, both answered 408 and
 * closed. Neither covers the response: Node stops a request's clock once its body is in (its
 * `checkConnections` only looks at requests still being received), so a long streamed answer
 * runs on (tested in packages/runtime/test/connection-limits.test.ts).
 */
function listen(
  app: ReturnType<typeof createApp>,
  host: string,
  port: number,
  limits: RuntimeConfig["connections"],
): Promise<Server> {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node looks for expired headers and requests (default 30 s, which would let a
      // 10 s timeout run to 40 s): a quarter of the header timeout (never above the request
      // timeout), at most once a second.
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4)),
      ),
    },
    app,
  );
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  server.maxConnections = limits.maxConnections;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
