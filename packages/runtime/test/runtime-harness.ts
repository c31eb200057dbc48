import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import OpenAI from "openai";
import { loadConfig } from "../src/config.ts";
import { type AppDatabase, openDatabase } from "../src/database/index.ts";
import { createLogger } from "../src/logger.ts";
import { KyselySessionStore } from "../src/sessions/index.ts";
import { type RunningRuntime, startRuntime } from "../src/start-runtime.ts";

/** The shared secret every test request carries. */
export const RUNTIME_TOKEN = "test-token-0123456789";

/** The credential vault's key in every test runtime: fixed, so a test may reopen its data. */
export const TOKEN_ENCRYPTION_KEY = "dGVzdC1vbmx5LXZhdWx0LWtleS0wMTIzNDU2Nzg5YWI=";

/** The monorepo root: the runtime discovers `agno/demo-agent` in its node_modules. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The one zod the runtime uses, so a plain-JS agent's schemas pass its `instanceof` check. */
const ZOD_URL = pathToFileURL(path.join(REPO_ROOT, "node_modules", "zod", "index.js")).href;

/** One JSON log line the runtime wrote. */
export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface RuntimeHarness {
  readonly gemini: FakeGemini;
  readonly runtime: RunningRuntime;
  /** The official client, pointed at the runtime's `/v1` with the runtime token. */
  readonly client: OpenAI;
  readonly dataDir: string;
  /** The runtime's logs, parsed (debug and up). */
  readonly logs: readonly LogLine[];
  /** A second connection to the runtime's database, for looking at stored sessions. */
  readonly db: AppDatabase;
  readonly sessions: KyselySessionStore;
  /** `fetch` against the runtime; adds the bearer token unless `token: null`. */
  fetch(pathname: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra runtime environment variables (AGENTLLM_MAX_BODY_BYTES …). */
  readonly env?: Readonly<Record<string, string>>;
  /** Point the runtime at this Gemini instead of the fake (the fake still starts). */
  readonly geminiBaseUrl?: string;
}

/**
 * Fake Gemini + the real runtime, in process, on free loopback ports, with a throwaway data
 * dir and the test agents of {@link writeTestAgents} next to the discovered demo agent.
 */
export async function startRuntimeHarness(options: HarnessOptions = {}): Promise<RuntimeHarness> {
  const gemini = await startFakeGemini({ port: 0 });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-runtime-test-"));
  const agentsDir = path.join(dataDir, "agents");
  writeTestAgents(agentsDir);
  const logs: LogLine[] = [];
  const logger = createLogger("debug", {
    write(line: string) {
      logs.push(JSON.parse(line) as LogLine);
    },
  });
  const config = loadConfig({
    AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
    AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY,
    GEMINI_API_KEY: "k",
    GOOGLE_GEMINI_BASE_URL: options.geminiBaseUrl ?? gemini.url,
    AGENTLLM_RUNTIME_PORT: "0",
    AGENTLLM_PUBLIC_PORT: "0",
    AGENTLLM_DATA_DIR: dataDir,
    AGENTLLM_AGENT_DIRS: agentsDir,
    AGENTLLM_LOG_LEVEL: "debug",
    // Each fault test sees one upstream answer; the retry tests turn retries back on.
    AGENTLLM_MODEL_RETRIES: "0",
    ...options.env,
  });
  let runtime: RunningRuntime;
  try {
    runtime = await startRuntime(config, { logger, cwd: REPO_ROOT });
  } catch (error) {
    await gemini.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const db = await openDatabase({ dataDir, databaseUrl: config.databaseUrl });
  return {
    gemini,
    runtime,
    dataDir,
    logs,
    db,
    sessions: new KyselySessionStore(db.db),
    client: new OpenAI({ baseURL: `${runtime.url}/v1`, apiKey: RUNTIME_TOKEN, maxRetries: 0 }),
    fetch(pathname, init = {}) {
      const { token = RUNTIME_TOKEN, headers, ...rest } = init;
      const merged = new Headers(headers);
      if (token !== null && !merged.has("authorization")) {
        merged.set("authorization", `Bearer ${token}`);
      }
      return fetch(`${runtime.url}${pathname}`, { ...rest, headers: merged });
    },
    async close() {
      await runtime.close();
      await db.close();
      await gemini.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds `slow_tool` waits, ignoring its signal; far above its 50 ms timeout. */
export const SLOW_TOOL_MS = 3_000;
/** What `explode` throws; the model must get it back as `{ error }`. */
export const EXPLODE_MESSAGE = "the flux capacitor overheated";

/** Events the test agent's tools report, readable from the tests (same process). */
export interface ToolProbe {
  readonly started: string[];
  /** Tool names whose `ctx.signal` aborted, with the abort reason's name. */
  readonly aborted: { tool: string; reason: string }[];
}

export function toolProbe(): ToolProbe {
  const global = globalThis as { __agentllmToolProbe?: ToolProbe };
  global.__agentllmToolProbe ??= { started: [], aborted: [] };
  return global.__agentllmToolProbe;
}

/**
 * A plain-JS agent package in `dir`: a package.json manifest naming `agent.mjs`, and that file,
 * the way a user could drop one into AGENTLLM_AGENT_DIRS.
 */
export function writeAgentPackage(dir: string, packageName: string, agentSource: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: packageName,
      version: "0.0.0",
      type: "module",
      agentllm: { agent: "./agent.mjs" },
    }),
  );
  writeFileSync(path.join(dir, "agent.mjs"), agentSource);
}

/** Writes `test-agent` (maxSteps 2) as an agent package (see {@link writeAgentPackage}). */
export function writeTestAgents(parent: string): void {
  writeAgentPackage(
    path.join(parent, "test-agent"),
    "test-agent-package",
    `import { z } from ${JSON.stringify(ZOD_URL)};

const probe = () => {
  globalThis.__agentllmToolProbe ??= { started: [], aborted: [] };
  return globalThis.__agentllmToolProbe;
};
const watch = (tool, signal) => {
  probe().started.push(tool);
  signal.addEventListener(
    "abort",
    () => probe().aborted.push({ tool, reason: String(signal.reason?.name ?? signal.reason) }),
    { once: true },
  );
};

export default {
  name: "test-agent",
  description: "Tools that throw, stall and echo, for runtime tests.",
  instructions: "You are the test agent.",
  maxSteps: 2,
  toolkits: [
    {
      name: "testing",
      tools: {
        echo: {
          description: "Returns its text, after delayMs.",
          parameters: z.object({ text: z.string(), delayMs: z.number().int().min(0).optional() }),
          async execute({ text, delayMs }, ctx) {
            watch("echo", ctx.signal);
            if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
            return { echoed: text, user: ctx.userId ?? null, session: ctx.sessionId ?? null };
          },
        },
        explode: {
          description: "Always throws.",
          parameters: z.object({}),
          execute(_args, ctx) {
            watch("explode", ctx.signal);
            throw new Error(${JSON.stringify(EXPLODE_MESSAGE)});
          },
        },
        slow_tool: {
          description: "Takes far longer than its timeout and ignores its signal.",
          parameters: z.object({}),
          timeoutMs: 50,
          async execute(_args, ctx) {
            watch("slow_tool", ctx.signal);
            await new Promise((resolve) => setTimeout(resolve, ${SLOW_TOOL_MS}).unref());
            return { finished: true };
          },
        },
        wait_for_abort: {
          description: "Waits until its signal aborts.",
          parameters: z.object({}),
          execute(_args, ctx) {
            watch("wait_for_abort", ctx.signal);
            return new Promise((_resolve, reject) =>
              ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true }),
            );
          },
        },
      },
    },
  ],
};
`,
  );
}

/** One parsed SSE stream as the runtime wrote it. */
export interface SseTranscript {
  /** Every `data:` payload in order, `[DONE]` kept as the string. */
  readonly events: (Record<string, unknown> | "[DONE]")[];
  /** Lines that were not `data: …`, blank separators or `:` comments. */
  readonly strayLines: string[];
}

export function parseSse(text: string): SseTranscript {
  const events: SseTranscript["events"] = [];
  const strayLines: string[] = [];
  for (const block of text.split("\n\n")) {
    if (block === "") continue;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      if (!line.startsWith("data: ")) {
        strayLines.push(line);
        continue;
      }
      const payload = line.slice("data: ".length);
      events.push(
        payload === "[DONE]" ? "[DONE]" : (JSON.parse(payload) as Record<string, unknown>),
      );
    }
  }
  return { events, strayLines };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 2_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface BareGemini {
  readonly url: string;
  /** Requests received so far. */
  readonly hits: number;
  close(): Promise<void>;
}

/**
 * A minimal Gemini stand-in for the one case the fake cannot script: a stream that sends
 * text and then closes cleanly without any finishReason (the real API never should, a broken
 * proxy in between can). Every generate call gets that answer.
 */
export async function startBareGemini(text: string): Promise<BareGemini> {
  let hits = 0;
  const server = createServer((req, res) => {
    // Model calls only: the demo agent's knowledge base is embedded at start (and fails here).
    if (!/embedContent/i.test(req.url ?? "")) hits += 1;
    req.resume();
    req.on("end", () => {
      const chunk = {
        candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0 }],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7 },
        modelVersion: "gemini-2.5-flash",
        responseId: "bare-1",
      };
      const sse = (req.url ?? "").includes("alt=sse");
      res.writeHead(200, { "Content-Type": sse ? "text/event-stream" : "application/json" });
      res.end(sse ? `data: ${JSON.stringify(chunk)}\r\n\r\n` : `[${JSON.stringify(chunk)}]`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
