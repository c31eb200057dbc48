import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/database/index.ts";
import { readSession, type SessionKey } from "../src/sessions/index.ts";
import {
  eventually,
  parseSse,
  REPO_ROOT,
  RUNTIME_TOKEN,
  TOKEN_ENCRYPTION_KEY,
  writeTestAgents,
} from "./runtime-harness.ts";

// Graceful shutdown, on a real `main.ts` process: SIGTERM mid-stream, one answer that finishes
// within the drain deadline and one the fake Gemini stalls, so the deadline cuts it.

const TEST_AGENT = "agno/test-agent";
/** Long enough that the answer streaming at 50 ms a word always ends first; the stalled one waits it out. */
const DRAIN_SECONDS = 8;

interface RuntimeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<number | null>;
  readonly logs: Record<string, unknown>[];
}

let gemini: FakeGemini;
let dataDir: string;
let agentsDir: string;
const started: RuntimeProcess[] = [];

beforeAll(async () => {
  gemini = await startFakeGemini({ port: 0 });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-drain-test-"));
  agentsDir = path.join(dataDir, "agents");
  writeTestAgents(agentsDir);
});

afterAll(async () => {
  for (const runtime of started) runtime.child.kill("SIGKILL");
  await gemini?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `main.ts` on free ports; resolves with its URL once it logs that it listens. */
async function startRuntimeProcess(env: Record<string, string> = {}): Promise<RuntimeProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "packages/runtime/src/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
      AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY,
      GEMINI_API_KEY: "k",
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      AGENTLLM_RUNTIME_PORT: "0",
      AGENTLLM_PUBLIC_PORT: "0",
      AGENTLLM_DATA_DIR: dataDir,
      AGENTLLM_AGENT_DIRS: agentsDir,
      AGENTLLM_MODEL_RETRIES: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === "runtime listening") resolve(entry.url as string);
    });
    void exited.then((code) => reject(new Error(`runtime exited (${code}) at start: ${stderr}`)));
  });
  const runtime = { child, url, exited, logs };
  started.push(runtime);
  return runtime;
}

function postChat(
  url: string,
  sessionId: string,
  messages: { role: string; content: string }[],
  stream = true,
) {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${RUNTIME_TOKEN}`,
      "content-type": "application/json",
      "x-agentllm-user-id": "drain-user",
      "x-agentllm-session-id": sessionId,
    },
    body: JSON.stringify({ model: TEST_AGENT, stream, messages }),
  });
}

/** Reads `response` until `marker` shows; returns a function reading the rest to the end. */
async function readUntil(response: Response, marker: string) {
  const reader = response.body?.getReader();
  if (!reader) throw new Error("response has no body");
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(marker)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before ${JSON.stringify(marker)}: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return async (): Promise<string> => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  };
}

function contentOf(events: ReturnType<typeof parseSse>["events"]): string {
  return events
    .map((event) => {
      if (event === "[DONE]") return "";
      const choices = event.choices as { delta?: { content?: string } }[] | undefined;
      return choices?.[0]?.delta?.content ?? "";
    })
    .join("");
}

const key = (sessionId: string): SessionKey => ({
  userId: "drain-user",
  agent: "test-agent",
  sessionId,
});

describe("graceful drain on SIGTERM (a real runtime process)", () => {
  it("finishes answers within the deadline, refuses new ones, cuts the rest as partial, exits 0", async () => {
    const runtime = await startRuntimeProcess({ AGENTLLM_DRAIN_SECONDS: String(DRAIN_SECONDS) });
    gemini.enqueue(
      // Held after its first word until the drain has begun: it must finish during the drain.
      {
        parts: ["Finishing", " words", " arrive", " in", " time"],
        hold: { after: 1, until: "finish" },
      },
      { parts: ["Cut", " short", " here"], stallAfter: 1 },
      { parts: ["Unseen", " words"], stallAfter: 1 },
    );
    const finishing = await postChat(runtime.url, "session-finishing", [
      { role: "user", content: "A short story" },
    ]);
    const finishingRest = await readUntil(finishing, '"content":"Finishing"');
    const stalled = await postChat(runtime.url, "session-cut", [
      { role: "user", content: "A long story" },
    ]);
    const stalledRest = await readUntil(stalled, '"content":"Cut"');
    // One not streamed: nothing is sent before its end, so a cut keeps the 503 status.
    const unary = postChat(
      runtime.url,
      "session-unary",
      [{ role: "user", content: "Quietly" }],
      false,
    );
    await gemini.waitForRequest((request) => JSON.stringify(request.body).includes("Quietly"));

    runtime.child.kill("SIGTERM");

    // Not ready at once, for the proxy's readiness to follow.
    const notReady = await eventually(
      async () => {
        const response = await fetch(`${runtime.url}/readyz`);
        return response.status === 503 ? response : undefined;
      },
      "/readyz to say not ready",
      5_000,
    );
    expect(await notReady.json()).toEqual({ status: "draining" });
    // An orchestrator probes every few seconds: a drain is expected, not a warning each time.
    await fetch(`${runtime.url}/readyz`);

    // A new request is refused with a clear, retryable error; the runs in flight go on.
    const refused = await postChat(runtime.url, "session-late", [
      { role: "user", content: "Too late" },
    ]);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    // Marked as refused without running: the bridge may send it to another runtime.
    expect(refused.headers.get("x-agentllm-refused")).toBe("draining");
    expect(await refused.json()).toEqual({
      error: {
        message: expect.stringContaining("shutting down"),
        type: "server_error",
        code: "runtime_draining",
        param: null,
      },
    });

    // The answer the fake Gemini finishes within the deadline streams to its proper end.
    gemini.release("finish");
    const finished = parseSse(await finishingRest()).events;
    expect(contentOf(finished)).toBe("Finishing words arrive in time");
    expect(finished.at(-1)).toBe("[DONE]");

    // The stalled one is cut at the deadline: its stream ends with an error event saying why.
    const cut = parseSse(await stalledRest()).events;
    expect(contentOf(cut)).toBe("Cut");
    expect(cut.at(-1)).toEqual({
      error: {
        message: expect.stringContaining("drain deadline"),
        type: "server_error",
        code: "runtime_draining",
        param: null,
      },
    });

    const unaryCut = await unary;
    expect(unaryCut.status).toBe(503);
    expect(unaryCut.headers.get("retry-after")).toBe("5");
    // Same code, but it did run: never marked as refused, so the bridge does not retry it.
    expect(unaryCut.headers.get("x-agentllm-refused")).toBeNull();
    expect(await unaryCut.json()).toMatchObject({ error: { code: "runtime_draining" } });

    expect(await runtime.exited).toBe(0);
    expect(runtime.logs.find((line) => line.msg === "drained")).toMatchObject({
      finished: 1,
      cut: 2,
      abandoned: 0,
    });
    expect(runtime.logs.filter((line) => (line.level as number) >= 50)).toEqual([]);
    expect(runtime.logs.filter((line) => line.msg === "readiness check failed")).toEqual([]);

    // Both turns were stored before the database closed: one complete, one partial.
    const db = await openDatabase({ dataDir });
    try {
      const [complete] = (await readSession(db.db, key("session-finishing"))).turns;
      expect(complete).toMatchObject({
        status: "complete",
        answer: "Finishing words arrive in time",
      });
      const [partial] = (await readSession(db.db, key("session-cut"))).turns;
      expect(partial).toMatchObject({ status: "partial", answer: "Cut" });
      const [unaryPartial] = (await readSession(db.db, key("session-unary"))).turns;
      expect(unaryPartial).toMatchObject({ status: "partial", answer: "Unseen" });
    } finally {
      await db.close();
    }
  }, 60_000);

  it("the next process continues the cut conversation from its partial turn", async () => {
    const runtime = await startRuntimeProcess();
    gemini.enqueue({ parts: ["Going on."] });
    const response = await postChat(
      runtime.url,
      "session-cut",
      [
        { role: "user", content: "A long story" },
        { role: "assistant", content: "Cut" },
        { role: "user", content: "Go on" },
      ],
      false,
    );
    expect(response.status).toBe(200);
    const modelRequest = gemini.requests.at(-1);
    expect(JSON.stringify(modelRequest?.body)).toContain('"text":"Cut"');

    const db = await openDatabase({ dataDir });
    try {
      const [partial, next] = (await readSession(db.db, key("session-cut"))).turns;
      expect(next).toMatchObject({
        parentId: partial?.id,
        status: "complete",
        answer: "Going on.",
      });
    } finally {
      await db.close();
    }

    runtime.child.kill("SIGTERM");
    expect(await runtime.exited).toBe(0);
  }, 60_000);

  it("a second signal forces the exit while answers still run", async () => {
    const runtime = await startRuntimeProcess({ AGENTLLM_DRAIN_SECONDS: "3600" });
    gemini.enqueue({ parts: ["Never", " ending"], stallAfter: 1 });
    const stalled = await postChat(runtime.url, "session-forced", [
      { role: "user", content: "Forever" },
    ]);
    await readUntil(stalled, '"content":"Never"');
    runtime.child.kill("SIGTERM");
    await eventually(
      async () => ((await fetch(`${runtime.url}/readyz`)).status === 503 ? true : undefined),
      "/readyz to say not ready",
      5_000,
    );
    runtime.child.kill("SIGTERM");
    expect(await runtime.exited).toBe(1);
    expect(
      runtime.logs.some((line) => line.msg === "runtime forced to stop before its drain ended"),
    ).toBe(true);
  }, 60_000);
});
