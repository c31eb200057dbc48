import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../stack/src/free-port.ts";
import { RUNTIME_NODE_OPTIONS } from "../../stack/src/start-stack.ts";
import { eventually, REPO_ROOT, RUNTIME_TOKEN, TOKEN_ENCRYPTION_KEY } from "./runtime-harness.ts";

// A burst of large requests against a runtime process with the production heap flags. Without
// admission control 16 of these bodies at once ran the 256 MiB heap out ("JavaScript heap out of
// memory", SIGABRT) and every conversation died with it. Now each gets its answer or a clean 503.
const CONCURRENT = 16;
// Just under the 4 MiB body limit, and the costliest shape per byte we found: one user message
// of ~150,000 tiny text parts (every part an object in the parse, the zod copy, the Gemini
// contents and the SDK's JSON) costs ~12 bytes of heap per body byte.
const PARTS = 150_000;

let gemini: FakeGemini;
let runtime: ChildProcess;
let url: string;
let dataDir: string;
let output = "";
let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

beforeAll(async () => {
  gemini = await startFakeGemini({ port: 0 });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-heap-"));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  runtime = spawn(
    process.execPath,
    [...RUNTIME_NODE_OPTIONS.split(" "), "--import", "tsx", "packages/runtime/src/main.ts"],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        AGENTLLM_RUNTIME_PORT: String(port),
        AGENTLLM_PUBLIC_PORT: "0",
        AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
        AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY,
        GEMINI_API_KEY: "fake-gemini-key",
        GOOGLE_GEMINI_BASE_URL: gemini.url,
        AGENTLLM_DATA_DIR: dataDir,
        AGENTLLM_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const keep = (data: Buffer) => {
    output = (output + data.toString("utf8")).slice(-4_000);
  };
  runtime.stdout?.on("data", keep);
  runtime.stderr?.on("data", keep);
  runtime.on("exit", (code, signal) => {
    exit = { code, signal };
  });
  await eventually(
    async () => {
      if (exit) throw new Error(`the runtime exited before it was ready:\n${output}`);
      const ready = await fetch(`${url}/readyz`).then(
        (res) => res.ok,
        () => false,
      );
      return ready ? true : undefined;
    },
    "the runtime to be ready",
    60_000,
  );
}, 90_000);

afterAll(async () => {
  if (runtime && !exit) {
    const exited = new Promise((resolve) => runtime.once("exit", resolve));
    runtime.kill("SIGKILL");
    await exited;
  }
  await gemini?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function post(body: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${RUNTIME_TOKEN}`, "content-type": "application/json" },
    body,
  });
}

describe("a burst of large requests under the production heap limit", () => {
  it("answers each or refuses it with 503 + Retry-After, and the runtime stays up", async () => {
    const content = Array.from({ length: PARTS }, () => ({ type: "text", text: "a" }));
    const body = JSON.stringify({
      model: "agno/demo-agent",
      messages: [{ role: "user", content }],
    });
    expect(body.length).toBeGreaterThan(4_000_000);
    expect(body.length).toBeLessThan(4 * 1024 * 1024);

    const outcomes = await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        const res = await post(body);
        const json = (await res.json()) as { error?: { code: string; type: string } };
        return { status: res.status, retryAfter: res.headers.get("retry-after"), json };
      }),
    );
    // The model saw only what was admitted; drop its copies of the bodies.
    gemini.reset();

    expect(exit, `the runtime died:\n${output}`).toBeUndefined();
    for (const outcome of outcomes) {
      if (outcome.status === 200) continue;
      expect(outcome.status).toBe(503);
      expect(outcome.retryAfter).toBe("1");
      expect(outcome.json.error).toMatchObject({ code: "overloaded", type: "server_error" });
    }
    const answered = outcomes.filter((o) => o.status === 200).length;
    expect(answered).toBeGreaterThanOrEqual(1);

    const normal = await post(
      JSON.stringify({ model: "agno/demo-agent", messages: [{ role: "user", content: "Hi!" }] }),
    );
    expect(normal.status).toBe(200);
    expect(exit, `the runtime died:\n${output}`).toBeUndefined();
    expect(output).not.toContain("heap out of memory");
  }, 120_000);
});
