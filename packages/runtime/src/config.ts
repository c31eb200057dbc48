import path from "node:path";
import { z } from "zod";
import {
  DEFAULT_MAX_TOOL_RESULT_BYTES,
  MIN_TOOL_RESULT_BYTES,
} from "./agents/loop/bound-tool-result.ts";
import {
  DEFAULT_MAX_PARALLEL_TOOLS,
  DEFAULT_MAX_TOOL_CALLS_PER_STEP,
} from "./agents/loop/run-agent.ts";
import { parseTrustedProxies, type TrustedProxies } from "./connect/trusted-proxies.ts";
import { DEFAULT_POOL_SIZE, isPostgresUrl, MAX_POOL_SIZE } from "./database/open-database.ts";
import { HOW_TO_MAKE_A_KEY, KeyRing, KeyRingError } from "./vault/key-ring.ts";

/**
 * Everything the runtime reads from its environment, parsed once at start. No other file
 * reads `process.env`: pass the frozen config (or the slice a module needs) down instead.
 */
export interface RuntimeConfig {
  readonly host: string;
  readonly port: number;
  /** Bearer secret the bridge sends; every non-probe request must carry it. */
  readonly runtimeToken: string;
  readonly gemini: {
    readonly apiKey: string;
    /** Set to point the real SDK at another server speaking the Gemini REST API. */
    readonly baseUrl: string | undefined;
    readonly defaultModel: string;
  };
  readonly dataDir: string;
  /**
   * `DATABASE_URL` (postgres:// or postgresql://): sessions, settings, credentials and approvals
   * live in that Postgres database instead of `${dataDir}/agentllm.db`. Never logged.
   */
  readonly databaseUrl: string | undefined;
  /** Connections the runtime keeps to Postgres at most (`AGENTLLM_DATABASE_POOL_SIZE`). */
  readonly databasePoolSize: number;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Model calls per run, unless an agent sets its own `maxSteps`. */
  readonly maxSteps: number;
  readonly toolTimeoutMs: number;
  /** Tool calls of one model step that run at once, and how many one step may ask for. */
  readonly tools: { readonly maxParallel: number; readonly maxCallsPerStep: number };
  readonly maxBodyBytes: number;
  /** Extra folders scanned for agent packages, besides every `node_modules` above the cwd. */
  readonly agentDirs: readonly string[];
  /**
   * How long a request waits for another run of the same session to finish before it gets
   * 409 `session_busy`; 0 answers 409 at once.
   */
  readonly sessionWaitMs: number;
  /**
   * On SIGTERM/SIGINT, how long answers in flight may run on before they are cut and stored as
   * partial; 0 cuts them at once.
   */
  readonly drainSeconds: number;
  /** Estimated tokens of conversation history sent to the model; the oldest exchanges go first. */
  readonly contextTokens: number;
  /**
   * Characters of stored tool steps one request may read from its session (their JSON; bytes
   * for ASCII); older turns' steps beyond it are left out and the model is told.
   */
  readonly maxSessionBytes: number;
  readonly model: {
    /** Extra attempts for a model call that failed before its first chunk (429, 5xx, network). */
    readonly retries: number;
    /** Longest wait before one retry; a longer Retry-After goes to the client instead. */
    readonly retryMaxDelayMs: number;
    /** From the call to the model's first chunk. */
    readonly firstChunkTimeoutMs: number;
    /** Longest silence between two chunks of a started answer. */
    readonly idleTimeoutMs: number;
  };
  /** How long the HTTP server waits for clients, and how many sockets it keeps (`listen()`). */
  readonly connections: {
    /** From a connection's (or request's) first byte to the end of its headers; then 408. */
    readonly headersTimeoutMs: number;
    /** From a request's first byte to the end of its body; then 408. Not the response. */
    readonly requestTimeoutMs: number;
    /** How long an idle keep-alive connection stays open between two requests. */
    readonly keepAliveTimeoutMs: number;
    /** Requests one connection may carry before the server closes it. */
    readonly maxRequestsPerSocket: number;
    /** Open connections at once; the server drops new ones beyond it. */
    readonly maxConnections: number;
  };
  /** Admission control: work past these limits gets 503 `overloaded` with Retry-After. */
  readonly admission: {
    /** Chat completions in progress at once (from admission to the end of the response). */
    readonly maxConcurrentRuns: number;
    /** Sum of the bodies of the requests being read or run. */
    readonly maxInflightBytes: number;
  };
  /**
   * Cap on one tool result's JSON for tools without their own `maxResultBytes`; a larger
   * result is cut, and the model told so, before the model, the store or the client see it.
   */
  readonly maxToolResultBytes: number;
  /**
   * The credential vault's Fernet keys (`AGENTLLM_TOKEN_ENCRYPTION_KEY`): the first encrypts,
   * all decrypt. Prints as `[KeyRing: N key(s)]`, never the keys.
   */
  readonly tokenKeys: KeyRing;
  /**
   * How long a side effect the user was asked to approve stays approvable
   * (`AGENTLLM_APPROVAL_TTL_SECONDS`, see approval/).
   */
  readonly approvalTtlSeconds: number;
  /** The public listener: connect pages and OAuth callbacks, reached by browsers. */
  readonly publicListener: PublicListenerConfig;
}

/** `AGENTLLM_PUBLIC_*` and `AGENTLLM_CONNECT_*`; see docs/configuration.md. */
export interface PublicListenerConfig {
  readonly host: string;
  readonly port: number;
  /**
   * Where browsers reach the listener, the base of every connect link. Undefined: the runtime
   * uses `http://127.0.0.1:<bound port>` once it listens.
   */
  readonly url: string | undefined;
  readonly ticketTtlSeconds: number;
  /** How long a toolkit's `validate` may take before the page says so. */
  readonly validateTimeoutMs: number;
  /** Form bodies only: a few fields. */
  readonly maxBodyBytes: number;
  /** Requests per client IP per minute, over every page of the listener. */
  readonly rateLimitPerIp: number;
  /** Proxies whose `X-Forwarded-For` names the client for that limit (AGENTLLM_TRUST_PROXY). */
  readonly trustedProxies: TrustedProxies;
  /** Requests per ticket per minute (page views and form posts). */
  readonly rateLimitPerTicket: number;
  /** Headers and body of one request, from its first byte; then 408. */
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
  /** Google sign-in for OAuth toolkits; undefined when no client is configured. */
  readonly google: GoogleOAuthConfig | undefined;
}

/** The OAuth client registered in Google Cloud's console (a "Web application" client). */
export interface GoogleOAuthConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Every Google endpoint on this server instead (the testkit's fake). */
  readonly baseUrl: string | undefined;
}

/** Node timers cannot wait longer; a larger timeout would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
/** AGENTLLM_DRAIN_SECONDS' default and bound. */
export const DEFAULT_DRAIN_SECONDS = 25;
export const MAX_DRAIN_SECONDS = 3_600;

const wholeNumber = z
  .string()
  .trim()
  .regex(/^\d+$/, { error: "must be a whole number" })
  .transform(Number);
const port = wholeNumber.pipe(z.number().int().min(0).max(65_535));
const positiveInt = (max: number) => wholeNumber.pipe(z.number().int().positive().max(max));
const nonNegativeInt = (max: number) => wholeNumber.pipe(z.number().int().min(0).max(max));

const envSchema = z.object({
  AGENTLLM_RUNTIME_HOST: z.string().min(1).default("127.0.0.1"),
  AGENTLLM_RUNTIME_PORT: port.default(9510),
  // Required for the full runtime only (see REQUIRED_FOR_THE_RUNTIME); the connect pages alone
  // (`--public-only`) call neither the bridge nor Gemini.
  AGENTLLM_RUNTIME_TOKEN: z
    .string()
    .min(16, { error: "must be at least 16 characters" })
    .optional(),
  GEMINI_API_KEY: z.string().min(1, { error: "must not be empty" }).optional(),
  GOOGLE_GEMINI_BASE_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .optional(),
  AGENTLLM_DEFAULT_MODEL: z.string().min(1).default("gemini-2.5-flash"),
  AGENTLLM_DATA_DIR: z.string().min(1).default("tmp"),
  // Unset or empty: SQLite. The message never repeats the value: it carries the password.
  DATABASE_URL: z
    .string()
    .refine((url) => url === "" || isPostgresUrl(url), {
      error: "must be a postgres:// or postgresql:// URL (unset for SQLite)",
    })
    .optional(),
  AGENTLLM_DATABASE_POOL_SIZE: positiveInt(MAX_POOL_SIZE).default(DEFAULT_POOL_SIZE),
  AGENTLLM_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("info"),
  AGENTLLM_MAX_STEPS: positiveInt(100).default(10),
  AGENTLLM_TOOL_TIMEOUT_MS: positiveInt(MAX_TIMER_MS).default(60_000),
  AGENTLLM_MAX_PARALLEL_TOOLS: positiveInt(64).default(DEFAULT_MAX_PARALLEL_TOOLS),
  AGENTLLM_MAX_TOOL_CALLS_PER_STEP: positiveInt(256).default(DEFAULT_MAX_TOOL_CALLS_PER_STEP),
  AGENTLLM_MAX_BODY_BYTES: positiveInt(1024 ** 3).default(4 * 1024 * 1024),
  AGENTLLM_AGENT_DIRS: z.string().optional(),
  AGENTLLM_SESSION_WAIT_MS: nonNegativeInt(MAX_TIMER_MS).default(30_000),
  // 25 s fits Kubernetes' default 30 s grace with 5 s to store cut runs and close; an hour is
  // past any answer worth waiting for (docs/operations.md).
  AGENTLLM_DRAIN_SECONDS: nonNegativeInt(MAX_DRAIN_SECONDS).default(DEFAULT_DRAIN_SECONDS),
  AGENTLLM_CONTEXT_TOKENS: positiveInt(2_000_000).default(200_000),
  AGENTLLM_MAX_SESSION_BYTES: positiveInt(1024 ** 3).default(2 * 1024 * 1024),
  AGENTLLM_MODEL_RETRIES: nonNegativeInt(10).default(2),
  AGENTLLM_MODEL_RETRY_MAX_DELAY_MS: positiveInt(MAX_TIMER_MS).default(20_000),
  AGENTLLM_MODEL_TIMEOUT_MS: positiveInt(MAX_TIMER_MS).default(120_000),
  AGENTLLM_MODEL_IDLE_TIMEOUT_MS: positiveInt(MAX_TIMER_MS).default(60_000),
  AGENTLLM_HEADERS_TIMEOUT_MS: positiveInt(MAX_TIMER_MS).default(10_000),
  AGENTLLM_REQUEST_TIMEOUT_MS: positiveInt(MAX_TIMER_MS).default(60_000),
  AGENTLLM_KEEP_ALIVE_TIMEOUT_MS: positiveInt(MAX_TIMER_MS).default(30_000),
  AGENTLLM_MAX_REQUESTS_PER_SOCKET: positiveInt(1_000_000).default(1_000),
  AGENTLLM_MAX_CONNECTIONS: positiveInt(1_000_000).default(1_024),
  AGENTLLM_MAX_CONCURRENT_RUNS: positiveInt(100_000).default(200),
  AGENTLLM_MAX_INFLIGHT_BYTES: positiveInt(1024 ** 4).default(8 * 1024 * 1024),
  AGENTLLM_MAX_TOOL_RESULT_BYTES: wholeNumber
    .pipe(
      z
        .number()
        .int()
        .min(MIN_TOOL_RESULT_BYTES)
        .max(64 * 1024 * 1024),
    )
    .default(DEFAULT_MAX_TOOL_RESULT_BYTES),
  AGENTLLM_PUBLIC_HOST: z.string().min(1).default("127.0.0.1"),
  AGENTLLM_PUBLIC_PORT: port.default(9502),
  AGENTLLM_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .refine((url) => !/[?#]/.test(url), { error: "must not have a query or fragment" })
    .optional(),
  // 15 minutes: time to read the request and answer it, short enough that a request forgotten
  // in an old chat cannot be approved hours later by a stray "yes".
  AGENTLLM_APPROVAL_TTL_SECONDS: wholeNumber
    .pipe(z.number().int().min(30).max(86_400))
    .default(900),
  AGENTLLM_CONNECT_TICKET_TTL_S: wholeNumber
    .pipe(z.number().int().min(60).max(86_400))
    .default(900),
  AGENTLLM_CONNECT_VALIDATE_TIMEOUT_MS: positiveInt(120_000).default(15_000),
  AGENTLLM_CONNECT_MAX_BODY_BYTES: wholeNumber
    .pipe(
      z
        .number()
        .int()
        .min(1024)
        .max(1024 * 1024),
    )
    .default(32 * 1024),
  AGENTLLM_CONNECT_RATE_LIMIT_IP: positiveInt(1_000_000).default(60),
  AGENTLLM_CONNECT_RATE_LIMIT_TICKET: positiveInt(1_000_000).default(20),
  AGENTLLM_TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseTrustedProxies(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message, input: "" });
        return z.NEVER;
      }
    }),
  AGENTLLM_PUBLIC_REQUEST_TIMEOUT_MS: wholeNumber
    .pipe(z.number().int().min(1_000).max(MAX_TIMER_MS))
    .default(30_000),
  AGENTLLM_PUBLIC_MAX_CONNECTIONS: positiveInt(1_000_000).default(256),
  GDRIVE_CLIENT_ID: z.string().trim().optional(),
  GDRIVE_CLIENT_SECRET: z.string().trim().optional(),
  GOOGLE_OAUTH_BASE_URL: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .optional(),
  AGENTLLM_TOKEN_ENCRYPTION_KEY: z
    .string({
      error: `is required: the key that encrypts users' credentials (${HOW_TO_MAKE_A_KEY})`,
    })
    .transform((value, ctx) => {
      try {
        return KeyRing.parse(value);
      } catch (error) {
        if (!(error instanceof KeyRingError)) throw error;
        // The message names the entry by position; zod's default would echo the input.
        ctx.addIssue({ code: "custom", message: error.message, input: "" });
        return z.NEVER;
      }
    }),
});

/** Thrown when the environment cannot start the runtime; the message names each variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** What the full runtime cannot start without, and what to say when it is missing. */
const REQUIRED_FOR_THE_RUNTIME = {
  AGENTLLM_RUNTIME_TOKEN: "is required (the shared secret the bridge sends as a bearer token)",
  GEMINI_API_KEY: "is required (or run `just demo` for the fake Gemini, which needs no key)",
} as const;

/**
 * `role: "public"` reads the settings of the connect pages alone (`main.ts --public-only`,
 * `just oauth-callback`): no runtime token or Gemini key needed, and none kept (empty strings).
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
  { role = "runtime" }: { role?: "runtime" | "public" } = {},
): RuntimeConfig {
  // An empty variable means "unset" for optional values, as shells and compose files use it.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in envSchema.shape && value !== ""),
  );
  // Accept the name the Gemini SDK also reads, so one key serves both.
  cleaned.GEMINI_API_KEY ??= env.GOOGLE_API_KEY || undefined;
  const parsed = envSchema.safeParse(cleaned);
  const missing =
    role === "runtime"
      ? Object.entries(REQUIRED_FOR_THE_RUNTIME)
          .filter(([name]) => cleaned[name] === undefined)
          .map(([name, message]) => `  ${name} ${message}`)
      : [];
  if (!parsed.success || missing.length > 0) {
    const lines = parsed.success
      ? []
      : parsed.error.issues.map((issue) => `  ${String(issue.path[0])} ${issue.message}`);
    throw new ConfigError(`invalid runtime configuration:\n${[...missing, ...lines].join("\n")}`);
  }
  const e = parsed.data;
  // Node refuses a header timeout longer than the request timeout (which includes the headers).
  if (e.AGENTLLM_HEADERS_TIMEOUT_MS > e.AGENTLLM_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `invalid runtime configuration:\n  AGENTLLM_HEADERS_TIMEOUT_MS must not be larger than AGENTLLM_REQUEST_TIMEOUT_MS (${e.AGENTLLM_REQUEST_TIMEOUT_MS})`,
    );
  }
  return Object.freeze({
    host: e.AGENTLLM_RUNTIME_HOST,
    port: e.AGENTLLM_RUNTIME_PORT,
    runtimeToken: e.AGENTLLM_RUNTIME_TOKEN ?? "",
    gemini: Object.freeze({
      apiKey: e.GEMINI_API_KEY ?? "",
      baseUrl: e.GOOGLE_GEMINI_BASE_URL,
      defaultModel: e.AGENTLLM_DEFAULT_MODEL,
    }),
    dataDir: path.resolve(cwd, e.AGENTLLM_DATA_DIR),
    databaseUrl: e.DATABASE_URL || undefined,
    databasePoolSize: e.AGENTLLM_DATABASE_POOL_SIZE,
    logLevel: e.AGENTLLM_LOG_LEVEL,
    maxSteps: e.AGENTLLM_MAX_STEPS,
    toolTimeoutMs: e.AGENTLLM_TOOL_TIMEOUT_MS,
    tools: Object.freeze({
      maxParallel: e.AGENTLLM_MAX_PARALLEL_TOOLS,
      maxCallsPerStep: e.AGENTLLM_MAX_TOOL_CALLS_PER_STEP,
    }),
    maxBodyBytes: e.AGENTLLM_MAX_BODY_BYTES,
    agentDirs: Object.freeze(
      (e.AGENTLLM_AGENT_DIRS ?? "")
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.resolve(cwd, dir)),
    ),
    sessionWaitMs: e.AGENTLLM_SESSION_WAIT_MS,
    drainSeconds: e.AGENTLLM_DRAIN_SECONDS,
    contextTokens: e.AGENTLLM_CONTEXT_TOKENS,
    maxSessionBytes: e.AGENTLLM_MAX_SESSION_BYTES,
    model: Object.freeze({
      retries: e.AGENTLLM_MODEL_RETRIES,
      retryMaxDelayMs: e.AGENTLLM_MODEL_RETRY_MAX_DELAY_MS,
      firstChunkTimeoutMs: e.AGENTLLM_MODEL_TIMEOUT_MS,
      idleTimeoutMs: e.AGENTLLM_MODEL_IDLE_TIMEOUT_MS,
    }),
    connections: Object.freeze({
      headersTimeoutMs: e.AGENTLLM_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.AGENTLLM_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.AGENTLLM_KEEP_ALIVE_TIMEOUT_MS,
      maxRequestsPerSocket: e.AGENTLLM_MAX_REQUESTS_PER_SOCKET,
      maxConnections: e.AGENTLLM_MAX_CONNECTIONS,
    }),
    admission: Object.freeze({
      maxConcurrentRuns: e.AGENTLLM_MAX_CONCURRENT_RUNS,
      maxInflightBytes: e.AGENTLLM_MAX_INFLIGHT_BYTES,
    }),
    maxToolResultBytes: e.AGENTLLM_MAX_TOOL_RESULT_BYTES,
    tokenKeys: e.AGENTLLM_TOKEN_ENCRYPTION_KEY,
    approvalTtlSeconds: e.AGENTLLM_APPROVAL_TTL_SECONDS,
    publicListener: Object.freeze({
      host: e.AGENTLLM_PUBLIC_HOST,
      port: e.AGENTLLM_PUBLIC_PORT,
      url: e.AGENTLLM_PUBLIC_URL,
      ticketTtlSeconds: e.AGENTLLM_CONNECT_TICKET_TTL_S,
      validateTimeoutMs: e.AGENTLLM_CONNECT_VALIDATE_TIMEOUT_MS,
      maxBodyBytes: e.AGENTLLM_CONNECT_MAX_BODY_BYTES,
      rateLimitPerIp: e.AGENTLLM_CONNECT_RATE_LIMIT_IP,
      trustedProxies: e.AGENTLLM_TRUST_PROXY,
      rateLimitPerTicket: e.AGENTLLM_CONNECT_RATE_LIMIT_TICKET,
      requestTimeoutMs: e.AGENTLLM_PUBLIC_REQUEST_TIMEOUT_MS,
      maxConnections: e.AGENTLLM_PUBLIC_MAX_CONNECTIONS,
      google: googleConfig(e.GDRIVE_CLIENT_ID, e.GDRIVE_CLIENT_SECRET, e.GOOGLE_OAUTH_BASE_URL),
    }),
  });
}

/** Both halves of the client or neither: half a client is a mistake worth stopping for. */
function googleConfig(
  clientId: string | undefined,
  clientSecret: string | undefined,
  baseUrl: string | undefined,
): GoogleOAuthConfig | undefined {
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    throw new ConfigError(
      `invalid runtime configuration:\n  ${clientId ? "GDRIVE_CLIENT_SECRET" : "GDRIVE_CLIENT_ID"} is not set, but ${clientId ? "GDRIVE_CLIENT_ID" : "GDRIVE_CLIENT_SECRET"} is: Google sign-in needs both (or neither)`,
    );
  }
  return Object.freeze({ clientId, clientSecret, baseUrl });
}
