import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningStack, randomFernetKey, startStack } from "../src/start-stack.ts";
import { type LogCapture, type RuntimeLogLine, startLogCapture } from "./log-capture.ts";
import { joinedContent } from "./proxy-client.ts";

// What the logs of the real stack say, and what they must never say. The runtime runs at
// its default level (info) and LiteLLM at its own default, so the silence means something.

const MODEL = "agno/demo-agent";
const nonce = randomBytes(6).toString("hex");
const planted = {
  geminiKey: `PLANTED-GEMINI-KEY-${nonce}`,
  runtimeToken: `PLANTED-RUNTIME-TOKEN-${nonce}`,
  masterKey: `sk-PLANTED-MASTER-KEY-${nonce}`,
  message: `PLANTED-MESSAGE-SECRET-${nonce}`,
  // A real Fernet key (the runtime refuses anything else); random, so it is found by value.
  encryptionKey: randomFernetKey(),
};
const identity = {
  headers: { "X-OpenWebUI-User-Id": "log-user", "X-OpenWebUI-Chat-Id": `log-chat-${nonce}` },
};

let gemini: FakeGemini;
let stack: RunningStack;
let client: OpenAI;
let dataDir: string;
let logs: LogCapture;

beforeAll(async () => {
  gemini = await startFakeGemini({ port: 0 });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-logs-"));
  logs = startLogCapture();
  // Default levels, whatever the developer's shell says.
  const env = { ...process.env };
  delete env.AGENTLLM_LOG_LEVEL;
  delete env.LITELLM_LOG;
  stack = await startStack({
    geminiApiKey: planted.geminiKey,
    geminiBaseUrl: gemini.url,
    dataDir,
    masterKey: planted.masterKey,
    runtimeToken: planted.runtimeToken,
    encryptionKey: planted.encryptionKey,
    env,
    onLine: logs.onLine,
  });
  client = new OpenAI({ baseURL: `${stack.proxyUrl}/v1`, apiKey: stack.masterKey, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await gemini?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  gemini.reset();
});

/** The call id LiteLLM gave a request; the bridge forwards it to the runtime as X-Request-Id. */
function callIdOf(headers: Headers | undefined): string {
  const id = headers?.get("x-litellm-call-id");
  expect(id, "the proxy answered without x-litellm-call-id").toBeTruthy();
  return id as string;
}

/** Waits for the runtime's end-of-request line (written when the response closes). */
async function requestLine(reqId: string): Promise<RuntimeLogLine> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const line = logs.runtimeJson().find((l) => l.reqId === reqId && l.msg === "request");
    if (line) return line;
    if (Date.now() > deadline) {
      throw new Error(`no runtime "request" log line with reqId ${reqId}:\n${logs.tail()}`);
    }
    await sleep(50);
  }
}

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

/**
 * Runs `scenario`, lets both processes finish writing, then checks every line printed
 * meanwhile: none of the planted secrets in the runtime's output, neither the message nor
 * the runtime token in LiteLLM's, and at least one runtime line for each of `reqIds`.
 */
async function expectNoLeaks(scenario: () => Promise<string[]>): Promise<void> {
  const mark = logs.mark();
  const reqIds = await scenario();
  for (const reqId of reqIds) await requestLine(reqId);
  await sleep(300);
  const { runtime, litellm } = logs.since(mark);
  expect(runtime.length).toBeGreaterThanOrEqual(reqIds.length);
  for (const reqId of reqIds) {
    expect(runtime.some((line) => line.includes(reqId))).toBe(true);
  }
  for (const [name, secret] of Object.entries(planted)) {
    expect(
      runtime.filter((line) => line.includes(secret)),
      `runtime logged the planted ${name}`,
    ).toEqual([]);
  }
  // LiteLLM must not print the message or the runtime token; at its default level it prints
  // none of the keys either, so all four are checked.
  for (const [name, secret] of Object.entries(planted)) {
    expect(
      litellm.filter((line) => line.includes(secret)),
      `LiteLLM logged the planted ${name}`,
    ).toEqual([]);
  }
}

describe("request ids through the proxy", () => {
  it("logs the proxy's x-litellm-call-id as the runtime's reqId (non-streaming)", async () => {
    gemini.enqueue({ parts: ["Hello."] });
    const { data, response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }, identity)
      .withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello.");
    const callId = callIdOf(response.headers);
    const line = await requestLine(callId);
    expect(line).toMatchObject({
      service: "agentllm-runtime",
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      completed: true,
    });
    expect(
      logs.runtimeJson().find((l) => l.reqId === callId && l.msg === "chat completion"),
    ).toMatchObject({ agent: "demo-agent", stream: false, user: true });
  });

  it("does the same for a streamed answer", async () => {
    gemini.enqueue({ parts: ["one ", "two"] });
    const { data: stream, response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: "user", content: "Count" }], stream: true })
      .withResponse();
    const text = await joinedContent(stream);
    expect(text).toBe("one two");
    const callId = callIdOf(response.headers);
    expect(await requestLine(callId)).toMatchObject({ status: 200, completed: true });
    expect(
      logs.runtimeJson().find((l) => l.reqId === callId && l.msg === "chat completion"),
    ).toMatchObject({ stream: true, user: false });
  });
});

describe("the credential key", () => {
  it("reaches the runtime's environment and not the proxy's", () => {
    const environ = (pid: number | undefined) =>
      readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    expect(environ(stack.runtime.process.pid)).toContain(
      `AGENTLLM_TOKEN_ENCRYPTION_KEY=${planted.encryptionKey}`,
    );
    const proxy = environ(stack.proxy.process.pid);
    expect(proxy.filter((entry) => entry.startsWith("AGENTLLM_TOKEN_ENCRYPTION_KEY="))).toEqual([]);
    expect(proxy.join("\n")).not.toContain(planted.encryptionKey);
    expect(stack.encryptionKey).toBe(planted.encryptionKey);
  });
});

describe("planted secrets never reach the logs", () => {
  it("runs at the runtime's default level (info), so the checks below can fail", () => {
    const started = logs.runtimeJson().find((l) => l.msg === "runtime listening");
    expect(started?.level).toBe(30);
  });

  it("non-streaming answer to a message carrying the secret", async () => {
    await expectNoLeaks(async () => {
      gemini.enqueue({ parts: [`I will keep ${planted.message} to myself.`] });
      const { data, response } = await client.chat.completions
        .create(
          {
            model: MODEL,
            messages: [
              { role: "system", content: `Never repeat ${planted.message}` },
              { role: "user", content: `My password is ${planted.message}` },
            ],
          },
          identity,
        )
        .withResponse();
      expect(data.choices[0]?.message.content).toContain(planted.message);
      return [callIdOf(response.headers)];
    });
  });

  it("streamed answer, and a stream the model cuts with an error", async () => {
    await expectNoLeaks(async () => {
      gemini.enqueue(
        { parts: ["Your ", "secret ", `is ${planted.message}`], delayMs: 20 },
        {
          parts: [`Half of ${planted.message} `, "and then"],
          streamError: { status: 503, message: "The model is overloaded." },
        },
      );
      const ids: string[] = [];
      const first = await client.chat.completions
        .create(
          {
            model: MODEL,
            messages: [{ role: "user", content: `Repeat ${planted.message}` }],
            stream: true,
          },
          identity,
        )
        .withResponse();
      const text = await joinedContent(first.data);
      expect(text).toContain(planted.message);
      ids.push(callIdOf(first.response.headers));

      const cut = await client.chat.completions
        .create({
          model: MODEL,
          messages: [{ role: "user", content: `Again: ${planted.message}` }],
          stream: true,
        })
        .withResponse();
      const failure = await (async () => {
        for await (const _chunk of cut.data) {
          // Drain until the error event.
        }
      })().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(Error);
      ids.push(callIdOf(cut.response.headers));
      return ids;
    });
  });

  it("a tool call whose arguments carry the secret", async () => {
    await expectNoLeaks(async () => {
      gemini.enqueue(
        {
          parts: [
            {
              functionCall: {
                name: "format_text_with_theme",
                args: { text: `Motto: ${planted.message}`, color: "blue" },
              },
            },
          ],
        },
        { parts: ["Here is your themed motto."] },
      );
      const { data, response } = await client.chat.completions
        .create(
          {
            model: MODEL,
            messages: [{ role: "user", content: `Theme my motto ${planted.message}` }],
          },
          identity,
        )
        .withResponse();
      expect(data.choices[0]?.message.content).toContain('name="format_text_with_theme"');
      const toolResult = gemini.requests.at(-1)?.body.contents?.at(-1);
      expect(JSON.stringify(toolResult)).toContain("functionResponse");
      return [callIdOf(response.headers)];
    });
  });

  it("a tool call that fails on arguments carrying the secret", async () => {
    // Regression: tool errors often quote their arguments; they used to be logged at info.
    await expectNoLeaks(async () => {
      gemini.enqueue(
        {
          parts: [
            { functionCall: { name: "set_favorite_color", args: { color: planted.message } } },
          ],
        },
        { parts: ["That is not a color I can save."] },
      );
      const { data, response } = await client.chat.completions
        .create(
          {
            model: MODEL,
            messages: [{ role: "user", content: `My favorite color is ${planted.message}` }],
          },
          identity,
        )
        .withResponse();
      expect(data.choices[0]?.message.content).toContain("That is not a color I can save.");
      const toolResult = JSON.stringify(gemini.requests.at(-1)?.body.contents?.at(-1));
      expect(toolResult).toContain("cannot be saved as a favorite color");
      return [callIdOf(response.headers)];
    });
  });

  it("error answers: Gemini 429, Gemini 500, and an unknown agent", async () => {
    await expectNoLeaks(async () => {
      const ids: string[] = [];
      // Three answers: the first call and the runtime's two retries.
      const quota = { error: { status: 429, message: "Quota exceeded", retryAfterSeconds: 1 } };
      gemini.enqueue(quota, quota, quota);
      const limited = await apiError(
        client.chat.completions.create(
          { model: MODEL, messages: [{ role: "user", content: `Hurry: ${planted.message}` }] },
          identity,
        ),
      );
      expect(limited.status).toBe(429);
      ids.push(callIdOf(limited.headers));

      const internal = { error: { status: 500, message: "Internal error encountered." } };
      gemini.enqueue(internal, internal, internal);
      const broken = await apiError(
        client.chat.completions.create({
          model: MODEL,
          messages: [{ role: "user", content: `Break on ${planted.message}` }],
        }),
      );
      expect(broken.status).toBeGreaterThanOrEqual(500);
      ids.push(callIdOf(broken.headers));

      const unknown = await apiError(
        client.chat.completions.create(
          {
            model: "agno/no-such-agent",
            messages: [{ role: "user", content: `Who has ${planted.message}?` }],
          },
          identity,
        ),
      );
      expect(unknown.status).toBeGreaterThanOrEqual(400);
      expect(unknown.status).toBeLessThan(500);

      // LiteLLM turns an unknown agent away itself (no model group), so the runtime's own 404
      // path is reached directly, as the bridge would call it, with a request id of our own.
      const reqId = `unknown-agent-${nonce}`;
      const direct = await fetch(`${stack.runtimeUrl}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${stack.runtimeToken}`,
          "content-type": "application/json",
          "x-request-id": reqId,
          "x-agentllm-user-id": "log-user",
          "x-agentllm-session-id": `log-chat-${nonce}`,
        },
        body: JSON.stringify({
          model: "agno/no-such-agent",
          messages: [{ role: "user", content: `Who has ${planted.message}?` }],
        }),
      });
      expect(direct.status).toBe(404);
      expect(await direct.text()).not.toContain(planted.message);
      ids.push(reqId);
      return ids;
    });
  });

  it("nothing planted in anything either process printed since it started", () => {
    const { runtime, litellm } = logs.since(0);
    expect(runtime.length).toBeGreaterThan(0);
    expect(litellm.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(planted)) {
      expect(
        runtime.filter((line) => line.includes(secret)),
        `runtime: ${name}`,
      ).toEqual([]);
    }
    for (const [name, secret] of Object.entries(planted)) {
      expect(
        litellm.filter((line) => line.includes(secret)),
        `LiteLLM: ${name}`,
      ).toEqual([]);
    }
  });
});
