import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildService, httpOk, startChildService } from "../src/child-service.ts";
import { freePort } from "../src/free-port.ts";
import { repoRoot } from "../src/repo-paths.ts";
import { RUNTIME_NODE_OPTIONS, randomFernetKey, runtimeArgs } from "../src/start-stack.ts";

// One user must not be able to take the runtime down for everyone with ordinary-sized requests.
// Before requests looked stored turns up by key, every request of a chat loaded the chat's whole
// turn tree: a few dozen ~4 MB messages into one chat ended in "JavaScript heap out of memory",
// and after a restart a two-character "hi" in that chat did it again. The runtime here runs
// with the production heap flags (RUNTIME_NODE_OPTIONS: a 256 MiB old space).

const TOKEN = "memory-bounds-token-0123456789";
/** Just under the default 4 MiB body limit, as a hostile but valid client would send. */
const MESSAGE_CHARS = 4 * 1024 * 1024 - 1024;
const LARGE_MESSAGES = 40;

let gemini: FakeGemini;
let runtime: ChildService;
let url: string;
let dataDir: string;

beforeAll(async () => {
  gemini = await startFakeGemini({ port: 0 });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-memory-"));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  runtime = startChildService({
    name: "runtime",
    command: process.execPath,
    args: runtimeArgs("source"),
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
      AGENTLLM_RUNTIME_PORT: String(port),
      AGENTLLM_PUBLIC_PORT: "0",
      AGENTLLM_RUNTIME_TOKEN: TOKEN,
      AGENTLLM_TOKEN_ENCRYPTION_KEY: randomFernetKey(),
      AGENTLLM_DATA_DIR: dataDir,
      GEMINI_API_KEY: "fake",
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      AGENTLLM_LOG_LEVEL: "warn",
    },
  });
  await runtime.waitUntil(httpOk(`${url}/readyz`), 60_000);
}, 90_000);

afterAll(async () => {
  await runtime?.stop();
  await gemini?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function ask(content: string, sessionId: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/json",
      "x-agentllm-user-id": "mallory",
      "x-agentllm-session-id": sessionId,
    },
    body: JSON.stringify({ model: "agno/demo-agent", messages: [{ role: "user", content }] }),
  });
}

describe("a runtime with the production heap flags", () => {
  it(`stays up through ${LARGE_MESSAGES} messages of ~4 MB into one chat, then answers "hi" there`, async () => {
    const filler = "lorem ipsum dolor sit amet ".repeat(MESSAGE_CHARS / 27 + 1);
    for (let i = 0; i < LARGE_MESSAGES; i++) {
      // A scripted reply: the fake's default responder reads all 4 MB, which only costs time here.
      gemini.enqueue({ parts: [`Noted (${i}).`] });
      // Each a new first message (an edit of it, as far as matching can tell): a new root turn.
      const response = await ask(`${i} ${filler.slice(0, MESSAGE_CHARS)}`, "big-chat");
      expect(
        response.status,
        await response
          .clone()
          .text()
          .then((t) => t.slice(0, 300)),
      ).toBe(200);
      await response.body?.cancel();
    }
    const hi = await ask("hi", "big-chat");
    expect(hi.status).toBe(200);
    const body = (await hi.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBeTruthy();
    expect(runtime.process.exitCode).toBeNull();
    expect(runtime.output()).not.toMatch(/heap out of memory/i);
  }, 240_000);
});
