import type { FakeGemini } from "@agentllm/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { joinedContent } from "./proxy-client.ts";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// What a client of the proxy sees when things go wrong or overlap. Short limits so each case
// is quick: a conversation waits 1.5 s for its turn, the model 2 s for its first chunk.
let fx: StackFixture;
let gemini: FakeGemini;

beforeAll(async () => {
  fx = await startStackFixture({
    env: {
      AGENTLLM_SESSION_WAIT_MS: "1500",
      AGENTLLM_MODEL_TIMEOUT_MS: "2000",
      AGENTLLM_MODEL_RETRIES: "1",
    },
  });
  gemini = fx.gemini;
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

beforeEach(() => gemini.reset());

const MODEL = "agno/demo-agent";
const modelCalls = () => gemini.requests.filter((r) => r.method === "streamGenerateContent");

function streamIn(chat: string, content: string) {
  return fx.client.chat.completions
    .create(
      { model: MODEL, messages: [{ role: "user", content }], stream: true },
      { headers: { "X-OpenWebUI-User-Id": "tabs", "X-OpenWebUI-Chat-Id": chat } },
    )
    .then(joinedContent);
}

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as InstanceType<typeof OpenAI.APIError>,
  );

describe("two tabs on one conversation", () => {
  it("runs the second request after the first instead of interleaving them", async () => {
    gemini.enqueue(
      { parts: ["first ", "tab ", "answer"], delayMs: 300 },
      { parts: ["second tab"] },
    );
    const first = streamIn("chat-tabs", "from tab one");
    await gemini.waitForRequest();
    const second = streamIn("chat-tabs", "from tab two");
    expect(await Promise.all([first, second])).toEqual(["first tab answer", "second tab"]);
    const [a, b] = modelCalls();
    expect(b?.receivedAt ?? 0).toBeGreaterThanOrEqual(a?.closedAt ?? Number.POSITIVE_INFINITY);
  });

  it("answers 409 when the first is still running after the wait", async () => {
    gemini.enqueue({ parts: ["slow ", "slow ", "slow ", "slow"], delayMs: 1_000 });
    const first = streamIn("chat-busy", "a long one");
    await gemini.waitForRequest();
    const error = await failureOf(streamIn("chat-busy", "impatient"));
    expect(error).toBeInstanceOf(OpenAI.ConflictError);
    expect(error?.message).toMatch(/still running/);
    expect(await first).toBe("slow slow slow slow");
  });
});

describe("upstream faults", () => {
  it("turns Gemini 5xx (after the runtime's retry) into 502", async () => {
    gemini.enqueue({ error: { status: 500 } }, { error: { status: 500 } });
    const error = await failureOf(
      fx.client.chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error?.status).toBe(502);
    expect(modelCalls()).toHaveLength(2);
  });

  it("turns a model that never answers into 504 and aborts it", async () => {
    gemini.enqueue({ hang: true });
    const error = await failureOf(
      fx.client.chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error?.status).toBe(504);
    expect(error?.message).toMatch(/AGENTLLM_MODEL_TIMEOUT_MS/);
    expect((await gemini.waitForClose(0)).aborted).toBe(true);
  });

  it("refuses a wrong proxy key before anything reaches the runtime", async () => {
    const stranger = new OpenAI({
      baseURL: `${fx.stack.proxyUrl}/v1`,
      apiKey: "sk-wrong",
      maxRetries: 0,
    });
    const error = await failureOf(
      stranger.chat.completions.create({
        model: MODEL,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    // LiteLLM without a database of its own cannot look the key up and says 400 "No connected
    // db."; with one it says 401. Either way the request ends at the proxy.
    expect([400, 401]).toContain(error?.status);
    expect(modelCalls()).toHaveLength(0);
  });

  it("passes the runtime's 400 for a bad request through", async () => {
    const error = await failureOf(
      fx.client.chat.completions.create({
        model: MODEL,
        messages: [{ role: "assistant", content: "no user message at all" }],
      }),
    );
    expect(error?.status).toBe(400);
    expect(error?.message).toMatch(/needs a user message before it/);
  });
});
