import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";
import { Fernet } from "./vault/fernet.ts";
import { KeyRing } from "./vault/key-ring.ts";

const TOKEN = "tok-0123456789abcdef-SECRET";
const API_KEY = "AIza-gemini-key-SECRET-42";
const CWD = path.resolve("/srv/agentllm");
/** Fernet keys: 32 bytes of 1s, and of 2s. */
const KEY_A = Buffer.alloc(32, 1).toString("base64url");
const KEY_B = Buffer.alloc(32, 2).toString("base64url");
// Fixed so a leak would be found by value; made like `just secrets` makes them.
const KEY = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const OLD_KEY = "m4Xq1P3hPnTtHUKs7n1bPwJQ9aKsc3Pm3s9yqz0Vq2Q=";

/** The three required variables, plus whatever a test adds. */
function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AGENTLLM_RUNTIME_TOKEN: TOKEN,
    GEMINI_API_KEY: API_KEY,
    AGENTLLM_TOKEN_ENCRYPTION_KEY: KEY,
    ...extra,
  };
}

/** Runs loadConfig expecting a ConfigError and returns its message. */
function configErrorMessage(vars: Record<string, string | undefined>): string {
  let caught: unknown;
  try {
    loadConfig(vars, CWD);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.name).toBe("ConfigError");
  return error.message;
}

describe("loadConfig", () => {
  it("applies the defaults when only the required variables are set", () => {
    const config = loadConfig(env(), CWD);
    expect(config).toEqual({
      host: "127.0.0.1",
      port: 9510,
      runtimeToken: TOKEN,
      gemini: { apiKey: API_KEY, baseUrl: undefined, defaultModel: "gemini-2.5-flash" },
      dataDir: path.join(CWD, "tmp"),
      databaseUrl: undefined,
      databasePoolSize: 10,
      logLevel: "info",
      maxSteps: 10,
      toolTimeoutMs: 60_000,
      tools: { maxParallel: 8, maxCallsPerStep: 32 },
      maxBodyBytes: 4 * 1024 * 1024,
      agentDirs: [],
      sessionWaitMs: 30_000,
      drainSeconds: 25,
      contextTokens: 200_000,
      maxSessionBytes: 2 * 1024 * 1024,
      model: {
        retries: 2,
        retryMaxDelayMs: 20_000,
        firstChunkTimeoutMs: 120_000,
        idleTimeoutMs: 60_000,
      },
      connections: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 60_000,
        keepAliveTimeoutMs: 30_000,
        maxRequestsPerSocket: 1_000,
        maxConnections: 1_024,
      },
      admission: { maxConcurrentRuns: 200, maxInflightBytes: 8 * 1024 * 1024 },
      maxToolResultBytes: 64 * 1024,
      publicListener: {
        host: "127.0.0.1",
        port: 9502,
        url: undefined,
        ticketTtlSeconds: 900,
        validateTimeoutMs: 15_000,
        maxBodyBytes: 32 * 1024,
        rateLimitPerIp: 60,
        trustedProxies: false,
        rateLimitPerTicket: 20,
        requestTimeoutMs: 30_000,
        maxConnections: 256,
        google: undefined,
      },
      tokenKeys: expect.any(KeyRing),
      approvalTtlSeconds: 900,
    });
  });

  it("parses every variable", () => {
    const dirA = path.resolve("/opt/agents");
    const config = loadConfig(
      env({
        AGENTLLM_RUNTIME_HOST: "0.0.0.0",
        AGENTLLM_RUNTIME_PORT: "8080",
        GOOGLE_GEMINI_BASE_URL: "http://127.0.0.1:9999/gemini",
        AGENTLLM_DEFAULT_MODEL: "gemini-2.5-pro",
        AGENTLLM_DATA_DIR: "/var/lib/agentllm",
        DATABASE_URL: "postgresql://agentllm:pw@db:5432/agentllm",
        AGENTLLM_DATABASE_POOL_SIZE: "20",
        AGENTLLM_LOG_LEVEL: "debug",
        AGENTLLM_MAX_STEPS: "25",
        AGENTLLM_TOOL_TIMEOUT_MS: "1500",
        AGENTLLM_MAX_PARALLEL_TOOLS: "3",
        AGENTLLM_MAX_TOOL_CALLS_PER_STEP: "12",
        AGENTLLM_MAX_BODY_BYTES: "1024",
        AGENTLLM_AGENT_DIRS: [dirA, "plugins"].join(path.delimiter),
        AGENTLLM_SESSION_WAIT_MS: "5000",
        AGENTLLM_DRAIN_SECONDS: "40",
        AGENTLLM_CONTEXT_TOKENS: "50000",
        AGENTLLM_MAX_SESSION_BYTES: "65536",
        AGENTLLM_MODEL_RETRIES: "4",
        AGENTLLM_MODEL_RETRY_MAX_DELAY_MS: "9000",
        AGENTLLM_MODEL_TIMEOUT_MS: "30000",
        AGENTLLM_MODEL_IDLE_TIMEOUT_MS: "15000",
        AGENTLLM_HEADERS_TIMEOUT_MS: "2000",
        AGENTLLM_REQUEST_TIMEOUT_MS: "3000",
        AGENTLLM_KEEP_ALIVE_TIMEOUT_MS: "4000",
        AGENTLLM_MAX_REQUESTS_PER_SOCKET: "50",
        AGENTLLM_MAX_CONNECTIONS: "60",
        AGENTLLM_MAX_CONCURRENT_RUNS: "7",
        AGENTLLM_MAX_INFLIGHT_BYTES: "4096",
        AGENTLLM_MAX_TOOL_RESULT_BYTES: "2048",
        AGENTLLM_PUBLIC_HOST: "0.0.0.0",
        AGENTLLM_PUBLIC_PORT: "8443",
        AGENTLLM_PUBLIC_URL: "https://connect.example.org/agentllm",
        AGENTLLM_CONNECT_TICKET_TTL_S: "600",
        AGENTLLM_APPROVAL_TTL_SECONDS: "120",
        AGENTLLM_CONNECT_VALIDATE_TIMEOUT_MS: "5000",
        AGENTLLM_CONNECT_MAX_BODY_BYTES: "8192",
        AGENTLLM_CONNECT_RATE_LIMIT_IP: "30",
        AGENTLLM_CONNECT_RATE_LIMIT_TICKET: "5",
        AGENTLLM_TRUST_PROXY: "10.0.0.0/8, loopback",
        AGENTLLM_PUBLIC_REQUEST_TIMEOUT_MS: "20000",
        AGENTLLM_PUBLIC_MAX_CONNECTIONS: "64",
        AGENTLLM_TOKEN_ENCRYPTION_KEY: `${KEY_A},${KEY_B}`,
      }),
      CWD,
    );
    expect(config).toEqual({
      host: "0.0.0.0",
      port: 8080,
      runtimeToken: TOKEN,
      gemini: {
        apiKey: API_KEY,
        baseUrl: "http://127.0.0.1:9999/gemini",
        defaultModel: "gemini-2.5-pro",
      },
      dataDir: path.resolve("/var/lib/agentllm"),
      databaseUrl: "postgresql://agentllm:pw@db:5432/agentllm",
      databasePoolSize: 20,
      logLevel: "debug",
      maxSteps: 25,
      toolTimeoutMs: 1500,
      tools: { maxParallel: 3, maxCallsPerStep: 12 },
      maxBodyBytes: 1024,
      agentDirs: [dirA, path.join(CWD, "plugins")],
      sessionWaitMs: 5000,
      drainSeconds: 40,
      contextTokens: 50_000,
      maxSessionBytes: 65_536,
      model: {
        retries: 4,
        retryMaxDelayMs: 9000,
        firstChunkTimeoutMs: 30_000,
        idleTimeoutMs: 15_000,
      },
      connections: {
        headersTimeoutMs: 2000,
        requestTimeoutMs: 3000,
        keepAliveTimeoutMs: 4000,
        maxRequestsPerSocket: 50,
        maxConnections: 60,
      },
      admission: { maxConcurrentRuns: 7, maxInflightBytes: 4096 },
      maxToolResultBytes: 2048,
      publicListener: {
        host: "0.0.0.0",
        port: 8443,
        url: "https://connect.example.org/agentllm",
        ticketTtlSeconds: 600,
        validateTimeoutMs: 5000,
        maxBodyBytes: 8192,
        rateLimitPerIp: 30,
        trustedProxies: ["10.0.0.0/8", "loopback"],
        rateLimitPerTicket: 5,
        requestTimeoutMs: 20_000,
        maxConnections: 64,
        google: undefined,
      },
      tokenKeys: expect.any(KeyRing),
      approvalTtlSeconds: 120,
    });
    expect(typeof config.port).toBe("number");
  });

  it("refuses a header timeout longer than the request timeout, naming both", () => {
    const message = configErrorMessage(
      env({ AGENTLLM_HEADERS_TIMEOUT_MS: "5000", AGENTLLM_REQUEST_TIMEOUT_MS: "4000" }),
    );
    expect(message).toContain("AGENTLLM_HEADERS_TIMEOUT_MS");
    expect(message).toContain("AGENTLLM_REQUEST_TIMEOUT_MS");
  });

  it("accepts every log level", () => {
    for (const level of ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const) {
      expect(loadConfig(env({ AGENTLLM_LOG_LEVEL: level }), CWD).logLevel).toBe(level);
    }
  });

  it("ignores variables it does not know", () => {
    const config = loadConfig(env({ PATH: "/usr/bin", HOME: "/root", AGENTLLM_UNKNOWN: "x" }), CWD);
    expect(config).not.toHaveProperty("PATH");
    expect(config.host).toBe("127.0.0.1");
  });

  describe("required variables", () => {
    it("names AGENTLLM_RUNTIME_TOKEN when it is missing", () => {
      const message = configErrorMessage({
        GEMINI_API_KEY: API_KEY,
        AGENTLLM_TOKEN_ENCRYPTION_KEY: KEY,
      });
      expect(message).toContain("AGENTLLM_RUNTIME_TOKEN");
      expect(message).toContain("is required");
      expect(message).not.toContain("GEMINI_API_KEY");
      expect(message).not.toContain(API_KEY);
    });

    it("names GEMINI_API_KEY when neither it nor GOOGLE_API_KEY is set", () => {
      const message = configErrorMessage({
        AGENTLLM_RUNTIME_TOKEN: TOKEN,
        AGENTLLM_TOKEN_ENCRYPTION_KEY: KEY,
      });
      expect(message).toContain("GEMINI_API_KEY");
      expect(message).toContain("is required");
      expect(message).not.toContain("AGENTLLM_RUNTIME_TOKEN");
      expect(message).not.toContain(TOKEN);
    });

    it("names all three when all are missing, one line each", () => {
      const message = configErrorMessage({});
      const lines = message.split("\n").slice(1);
      expect(lines).toHaveLength(3);
      expect(lines.some((line) => line.includes("AGENTLLM_RUNTIME_TOKEN"))).toBe(true);
      expect(lines.some((line) => line.includes("GEMINI_API_KEY"))).toBe(true);
      expect(lines.some((line) => line.includes("AGENTLLM_TOKEN_ENCRYPTION_KEY"))).toBe(true);
    });

    it("rejects a runtime token shorter than 16 characters without echoing it", () => {
      const shortToken = "short-SECRET";
      const message = configErrorMessage(env({ AGENTLLM_RUNTIME_TOKEN: shortToken }));
      expect(message).toContain("AGENTLLM_RUNTIME_TOKEN");
      expect(message).toContain("at least 16 characters");
      expect(message).not.toContain(shortToken);
      expect(message).not.toContain("SECRET");
    });

    it("accepts a runtime token of exactly 16 characters", () => {
      expect(loadConfig(env({ AGENTLLM_RUNTIME_TOKEN: "x".repeat(16) }), CWD).runtimeToken).toBe(
        "x".repeat(16),
      );
    });
  });

  describe("AGENTLLM_TOKEN_ENCRYPTION_KEY", () => {
    it("refuses to start without it, naming it and how to make one", () => {
      for (const value of [undefined, "", "  "]) {
        const message = configErrorMessage(env({ AGENTLLM_TOKEN_ENCRYPTION_KEY: value }));
        const lines = message.split("\n").slice(1);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain("AGENTLLM_TOKEN_ENCRYPTION_KEY");
        expect(lines[0]).toContain("npx just secrets");
        expect(lines[0]).toContain("urlsafe_b64encode(os.urandom(32))");
      }
    });

    it("names a malformed entry by position, never its value", () => {
      const bad = "not-a-fernet-key-SECRET";
      const message = configErrorMessage(env({ AGENTLLM_TOKEN_ENCRYPTION_KEY: `${KEY},${bad}` }));
      const lines = message.split("\n").slice(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("AGENTLLM_TOKEN_ENCRYPTION_KEY key 2 of 2 is not a Fernet key");
      expect(message).not.toContain("SECRET");
      expect(message).not.toContain(KEY);
    });

    it("reads several keys: the first encrypts, all decrypt", () => {
      const { tokenKeys } = loadConfig(
        env({ AGENTLLM_TOKEN_ENCRYPTION_KEY: `${KEY},${OLD_KEY}` }),
        CWD,
      );
      expect(tokenKeys.size).toBe(2);
      expect(new Fernet(KEY).decrypt(tokenKeys.encrypt("x")).toString()).toBe("x");
      expect(tokenKeys.decrypt(new Fernet(OLD_KEY).encrypt("y")).plaintext).toBe("y");
      expect(JSON.stringify(loadConfig(env(), CWD))).not.toContain(KEY.slice(0, 12));
    });
  });

  describe("GOOGLE_API_KEY fallback", () => {
    it("uses GOOGLE_API_KEY when GEMINI_API_KEY is unset", () => {
      const config = loadConfig(
        {
          AGENTLLM_RUNTIME_TOKEN: TOKEN,
          AGENTLLM_TOKEN_ENCRYPTION_KEY: KEY,
          GOOGLE_API_KEY: "google-key",
        },
        CWD,
      );
      expect(config.gemini.apiKey).toBe("google-key");
    });

    it("uses GOOGLE_API_KEY when GEMINI_API_KEY is empty", () => {
      const config = loadConfig(
        {
          AGENTLLM_RUNTIME_TOKEN: TOKEN,
          AGENTLLM_TOKEN_ENCRYPTION_KEY: KEY,
          GEMINI_API_KEY: "",
          GOOGLE_API_KEY: "google-key",
        },
        CWD,
      );
      expect(config.gemini.apiKey).toBe("google-key");
    });

    it("prefers GEMINI_API_KEY when both are set", () => {
      const config = loadConfig(env({ GOOGLE_API_KEY: "google-key" }), CWD);
      expect(config.gemini.apiKey).toBe(API_KEY);
    });

    it("still names GEMINI_API_KEY when GOOGLE_API_KEY is empty too", () => {
      const message = configErrorMessage({
        AGENTLLM_RUNTIME_TOKEN: TOKEN,
        GEMINI_API_KEY: "",
        GOOGLE_API_KEY: "",
      });
      expect(message).toContain("GEMINI_API_KEY");
    });
  });

  describe("empty strings mean unset", () => {
    it("falls back to the default for every optional variable set to ''", () => {
      const config = loadConfig(
        env({
          AGENTLLM_RUNTIME_HOST: "",
          AGENTLLM_RUNTIME_PORT: "",
          GOOGLE_GEMINI_BASE_URL: "",
          AGENTLLM_DEFAULT_MODEL: "",
          AGENTLLM_DATA_DIR: "",
          DATABASE_URL: "",
          AGENTLLM_DATABASE_POOL_SIZE: "",
          AGENTLLM_LOG_LEVEL: "",
          AGENTLLM_MAX_STEPS: "",
          AGENTLLM_TOOL_TIMEOUT_MS: "",
          AGENTLLM_MAX_BODY_BYTES: "",
          AGENTLLM_AGENT_DIRS: "",
          AGENTLLM_SESSION_WAIT_MS: "",
          AGENTLLM_MODEL_RETRIES: "",
          AGENTLLM_MODEL_RETRY_MAX_DELAY_MS: "",
          AGENTLLM_MODEL_TIMEOUT_MS: "",
          AGENTLLM_MODEL_IDLE_TIMEOUT_MS: "",
        }),
        CWD,
      );
      expect(config).toEqual(loadConfig(env(), CWD));
    });

    it("treats an empty runtime token as missing", () => {
      const message = configErrorMessage(env({ AGENTLLM_RUNTIME_TOKEN: "" }));
      expect(message).toContain("AGENTLLM_RUNTIME_TOKEN is required");
    });

    it("treats undefined values as unset", () => {
      const config = loadConfig(env({ AGENTLLM_RUNTIME_PORT: undefined }), CWD);
      expect(config.port).toBe(9510);
    });
  });

  describe("invalid values are named", () => {
    const cases: Array<[variable: string, value: string]> = [
      ["AGENTLLM_RUNTIME_PORT", "http"],
      ["AGENTLLM_RUNTIME_PORT", "65536"],
      ["AGENTLLM_RUNTIME_PORT", "-1"],
      ["AGENTLLM_RUNTIME_PORT", "80.5"],
      ["GOOGLE_GEMINI_BASE_URL", "not a url"],
      ["AGENTLLM_LOG_LEVEL", "verbose"],
      ["AGENTLLM_LOG_LEVEL", "INFO"],
      ["AGENTLLM_MAX_STEPS", "0"],
      ["AGENTLLM_MAX_STEPS", "101"],
      ["AGENTLLM_MAX_STEPS", "ten"],
      ["AGENTLLM_TOOL_TIMEOUT_MS", "-5"],
      ["AGENTLLM_MAX_PARALLEL_TOOLS", "0"],
      ["AGENTLLM_MAX_PARALLEL_TOOLS", "65"],
      ["AGENTLLM_MAX_TOOL_CALLS_PER_STEP", "257"],
      ["AGENTLLM_TOOL_TIMEOUT_MS", "1.5"],
      ["AGENTLLM_MAX_BODY_BYTES", "0"],
      ["AGENTLLM_SESSION_WAIT_MS", "-1"],
      ["AGENTLLM_SESSION_WAIT_MS", "2147483648"],
      ["AGENTLLM_SESSION_WAIT_MS", "30s"],
      ["AGENTLLM_DRAIN_SECONDS", "-1"],
      ["AGENTLLM_DRAIN_SECONDS", "3601"],
      ["AGENTLLM_DRAIN_SECONDS", "25s"],
      ["AGENTLLM_MODEL_RETRIES", "11"],
      ["AGENTLLM_MODEL_RETRIES", "-1"],
      ["AGENTLLM_MODEL_RETRIES", "two"],
      ["AGENTLLM_MODEL_RETRY_MAX_DELAY_MS", "0"],
      ["AGENTLLM_MODEL_RETRY_MAX_DELAY_MS", "2147483648"],
      ["AGENTLLM_MODEL_TIMEOUT_MS", "0"],
      ["AGENTLLM_MODEL_TIMEOUT_MS", "2147483648"],
      ["AGENTLLM_MODEL_TIMEOUT_MS", "1.5"],
      ["AGENTLLM_MODEL_IDLE_TIMEOUT_MS", "0"],
      ["AGENTLLM_MODEL_IDLE_TIMEOUT_MS", "2147483648"],
      ["AGENTLLM_TRUST_PROXY", "true"],
      ["AGENTLLM_TRUST_PROXY", "11"],
      ["AGENTLLM_TRUST_PROXY", "the-ingress"],
    ];

    it.each(cases)("%s=%s", (variable, value) => {
      const message = configErrorMessage(env({ [variable]: value }));
      expect(message).toMatch(/^invalid runtime configuration:\n/);
      const lines = message.split("\n").slice(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(variable);
      // The secrets never leak into a message that ends up in logs.
      expect(message).not.toContain(TOKEN);
      expect(message).not.toContain(API_KEY);
    });

    it("says the base URL must be an http(s) URL", () => {
      const message = configErrorMessage(env({ GOOGLE_GEMINI_BASE_URL: "http://exa mple" }));
      expect(message).toContain("GOOGLE_GEMINI_BASE_URL must be an http(s) URL");
    });

    it("accepts http and https base URLs", () => {
      for (const url of ["http://localhost:8080", "https://gemini.example.com/v1"]) {
        expect(loadConfig(env({ GOOGLE_GEMINI_BASE_URL: url }), CWD).gemini.baseUrl).toBe(url);
      }
    });

    // Regression: only http(s) base URLs are accepted (a missing scheme used to pass).
    it.each(["localhost:8080", "ftp://gemini.example.com", "file:///etc/passwd"])(
      "rejects the non-http(s) base URL %s",
      (url) => {
        const message = configErrorMessage(env({ GOOGLE_GEMINI_BASE_URL: url }));
        expect(message).toContain("GOOGLE_GEMINI_BASE_URL must be an http(s) URL");
      },
    );

    it("reports every bad variable at once", () => {
      const message = configErrorMessage(
        env({ AGENTLLM_RUNTIME_PORT: "nope", AGENTLLM_LOG_LEVEL: "loud" }),
      );
      expect(message).toContain("AGENTLLM_RUNTIME_PORT");
      expect(message).toContain("AGENTLLM_LOG_LEVEL");
    });

    it("accepts the port bounds 0 and 65535", () => {
      expect(loadConfig(env({ AGENTLLM_RUNTIME_PORT: "0" }), CWD).port).toBe(0);
      expect(loadConfig(env({ AGENTLLM_RUNTIME_PORT: "65535" }), CWD).port).toBe(65_535);
    });

    // Regression: timeouts beyond Node's timer limit would fire at once; they are rejected.
    it.each(["2147483648", "5000000000"])(
      "rejects AGENTLLM_TOOL_TIMEOUT_MS=%s, which Node timers cannot honour",
      (value) => {
        const message = configErrorMessage(env({ AGENTLLM_TOOL_TIMEOUT_MS: value }));
        expect(message).toContain("AGENTLLM_TOOL_TIMEOUT_MS");
      },
    );

    it("accepts the largest timeout Node timers support", () => {
      const config = loadConfig(env({ AGENTLLM_TOOL_TIMEOUT_MS: "2147483647" }), CWD);
      expect(config.toolTimeoutMs).toBe(2_147_483_647);
    });
  });

  describe("session wait and model call limits", () => {
    it("accepts AGENTLLM_SESSION_WAIT_MS=0: answer 409 at once", () => {
      expect(loadConfig(env({ AGENTLLM_SESSION_WAIT_MS: "0" }), CWD).sessionWaitMs).toBe(0);
    });

    it("accepts AGENTLLM_DRAIN_SECONDS from 0 (cut runs at once) to an hour", () => {
      expect(loadConfig(env({ AGENTLLM_DRAIN_SECONDS: "0" }), CWD).drainSeconds).toBe(0);
      expect(loadConfig(env({ AGENTLLM_DRAIN_SECONDS: "3600" }), CWD).drainSeconds).toBe(3600);
    });

    it("takes postgres:// and postgresql:// URLs, and refuses others without echoing them", () => {
      for (const url of ["postgres://u:pw@db/agentllm", "postgresql://u@/agentllm?host=/run"]) {
        expect(loadConfig(env({ DATABASE_URL: url }), CWD).databaseUrl).toBe(url);
      }
      for (const url of ["mysql://u:SECRET-pw@db/x", "sqlite:///var/x.db", "SECRET-pw"]) {
        const message = configErrorMessage(env({ DATABASE_URL: url }));
        expect(message).toContain("DATABASE_URL must be a postgres:// or postgresql:// URL");
        expect(message).not.toContain("SECRET");
      }
    });

    it("bounds AGENTLLM_DATABASE_POOL_SIZE to 1 .. 100", () => {
      for (const [value, expected] of [
        ["1", 1],
        ["100", 100],
      ] as const) {
        expect(loadConfig(env({ AGENTLLM_DATABASE_POOL_SIZE: value }), CWD).databasePoolSize).toBe(
          expected,
        );
      }
      for (const value of ["0", "101", "ten"]) {
        expect(configErrorMessage(env({ AGENTLLM_DATABASE_POOL_SIZE: value }))).toContain(
          "AGENTLLM_DATABASE_POOL_SIZE",
        );
      }
    });

    it("accepts the largest session wait Node timers support", () => {
      const config = loadConfig(env({ AGENTLLM_SESSION_WAIT_MS: "2147483647" }), CWD);
      expect(config.sessionWaitMs).toBe(2_147_483_647);
    });

    it("bounds AGENTLLM_MAX_TOOL_RESULT_BYTES to 1024 .. 64 MiB", () => {
      for (const [value, expected] of [
        ["1024", 1024],
        ["67108864", 64 * 1024 * 1024],
      ] as const) {
        expect(
          loadConfig(env({ AGENTLLM_MAX_TOOL_RESULT_BYTES: value }), CWD).maxToolResultBytes,
        ).toBe(expected);
      }
      for (const value of ["1023", "67108865", "64k", "-1"]) {
        expect(configErrorMessage(env({ AGENTLLM_MAX_TOOL_RESULT_BYTES: value }))).toContain(
          "AGENTLLM_MAX_TOOL_RESULT_BYTES",
        );
      }
    });

    it("accepts model retries from 0 to 10", () => {
      expect(loadConfig(env({ AGENTLLM_MODEL_RETRIES: "0" }), CWD).model.retries).toBe(0);
      expect(loadConfig(env({ AGENTLLM_MODEL_RETRIES: "10" }), CWD).model.retries).toBe(10);
    });

    it("accepts the largest model timeouts Node timers support", () => {
      const config = loadConfig(
        env({
          AGENTLLM_MODEL_RETRY_MAX_DELAY_MS: "2147483647",
          AGENTLLM_MODEL_TIMEOUT_MS: "2147483647",
          AGENTLLM_MODEL_IDLE_TIMEOUT_MS: "2147483647",
        }),
        CWD,
      );
      expect(config.model).toEqual({
        retries: 2,
        retryMaxDelayMs: 2_147_483_647,
        firstChunkTimeoutMs: 2_147_483_647,
        idleTimeoutMs: 2_147_483_647,
      });
    });
  });

  it("freezes the result, including nested objects and the agent dirs", () => {
    const config = loadConfig(env({ AGENTLLM_AGENT_DIRS: "plugins" }), CWD);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.gemini)).toBe(true);
    expect(Object.isFrozen(config.model)).toBe(true);
    expect(Object.isFrozen(config.agentDirs)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config.gemini as { apiKey: string }).apiKey = "other";
    }).toThrow(TypeError);
    expect(() => {
      (config.agentDirs as string[]).push("/elsewhere");
    }).toThrow(TypeError);
    expect(config.port).toBe(9510);
    expect(config.gemini.apiKey).toBe(API_KEY);
  });

  describe("paths", () => {
    it("splits AGENTLLM_AGENT_DIRS on the platform's path delimiter and resolves against cwd", () => {
      const absolute = path.resolve("/opt/shared-agents");
      const config = loadConfig(
        env({
          AGENTLLM_AGENT_DIRS: ["plugins", "", "../other", absolute, ""].join(path.delimiter),
        }),
        CWD,
      );
      expect(config.agentDirs).toEqual([
        path.join(CWD, "plugins"),
        path.resolve(CWD, "../other"),
        absolute,
      ]);
    });

    it("keeps a single agent dir whole", () => {
      const config = loadConfig(env({ AGENTLLM_AGENT_DIRS: "my plugins" }), CWD);
      expect(config.agentDirs).toEqual([path.join(CWD, "my plugins")]);
    });

    it("resolves a relative data dir against cwd", () => {
      expect(loadConfig(env({ AGENTLLM_DATA_DIR: "data/runtime" }), CWD).dataDir).toBe(
        path.join(CWD, "data", "runtime"),
      );
      const otherCwd = path.resolve("/home/me/project");
      expect(loadConfig(env(), otherCwd).dataDir).toBe(path.join(otherCwd, "tmp"));
    });

    it("keeps an absolute data dir as it is", () => {
      const absolute = path.resolve("/var/lib/agentllm");
      expect(loadConfig(env({ AGENTLLM_DATA_DIR: absolute }), CWD).dataDir).toBe(absolute);
    });

    it("defaults cwd to process.cwd()", () => {
      expect(loadConfig(env({ AGENTLLM_DATA_DIR: "d" })).dataDir).toBe(
        path.join(process.cwd(), "d"),
      );
    });
  });

  describe("the public listener", () => {
    it("takes a Google client whole or not at all, naming the missing half", () => {
      expect(loadConfig(env(), CWD).publicListener.google).toBeUndefined();
      expect(
        loadConfig(
          env({
            GDRIVE_CLIENT_ID: "id",
            GDRIVE_CLIENT_SECRET: "shh",
            GOOGLE_OAUTH_BASE_URL: "http://127.0.0.1:1",
          }),
          CWD,
        ).publicListener.google,
      ).toEqual({ clientId: "id", clientSecret: "shh", baseUrl: "http://127.0.0.1:1" });
      expect(configErrorMessage(env({ GDRIVE_CLIENT_ID: "id" }))).toContain(
        "GDRIVE_CLIENT_SECRET is not set",
      );
      const half = configErrorMessage(env({ GDRIVE_CLIENT_SECRET: "shh" }));
      expect(half).toContain("GDRIVE_CLIENT_ID is not set");
      expect(half).not.toContain("shh");
    });

    it.each([
      ["AGENTLLM_TOKEN_ENCRYPTION_KEY", "not-a-key"],
      ["AGENTLLM_TOKEN_ENCRYPTION_KEY", Buffer.alloc(16, 1).toString("base64url")],
      ["AGENTLLM_PUBLIC_URL", "ftp://example.org"],
      ["AGENTLLM_PUBLIC_URL", "localhost:9502"],
      ["AGENTLLM_PUBLIC_URL", "http://example.org/?x=1"],
      ["AGENTLLM_PUBLIC_PORT", "65536"],
      ["AGENTLLM_CONNECT_TICKET_TTL_S", "59"],
      ["AGENTLLM_CONNECT_TICKET_TTL_S", "86401"],
      ["AGENTLLM_APPROVAL_TTL_SECONDS", "29"],
      ["AGENTLLM_APPROVAL_TTL_SECONDS", "86401"],
      ["AGENTLLM_CONNECT_MAX_BODY_BYTES", "1023"],
      ["AGENTLLM_CONNECT_RATE_LIMIT_IP", "0"],
      ["AGENTLLM_PUBLIC_REQUEST_TIMEOUT_MS", "999"],
    ])("refuses %s=%s, naming it and never echoing a key", (name, value) => {
      const message = configErrorMessage(env({ [name]: value }));
      expect(message).toContain(name);
      if (name === "AGENTLLM_TOKEN_ENCRYPTION_KEY") expect(message).not.toContain(value);
    });

    it("accepts the approval TTL's bounds and defaults to 900 s", () => {
      expect(loadConfig(env({}), CWD).approvalTtlSeconds).toBe(900);
      expect(loadConfig(env({ AGENTLLM_APPROVAL_TTL_SECONDS: "30" }), CWD).approvalTtlSeconds).toBe(
        30,
      );
      expect(
        loadConfig(env({ AGENTLLM_APPROVAL_TTL_SECONDS: "86400" }), CWD).approvalTtlSeconds,
      ).toBe(86_400);
    });

    it("accepts the bounds", () => {
      const { publicListener } = loadConfig(
        env({
          AGENTLLM_CONNECT_TICKET_TTL_S: "60",
          AGENTLLM_CONNECT_MAX_BODY_BYTES: "1024",
          AGENTLLM_PUBLIC_REQUEST_TIMEOUT_MS: "1000",
          AGENTLLM_PUBLIC_PORT: "0",
        }),
        CWD,
      );
      expect(publicListener).toMatchObject({
        ticketTtlSeconds: 60,
        maxBodyBytes: 1024,
        requestTimeoutMs: 1000,
        port: 0,
      });
    });
  });
});
