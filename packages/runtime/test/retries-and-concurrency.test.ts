import type { FakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RUNTIME_TOKEN, type RuntimeHarness, startRuntimeHarness } from "./runtime-harness.ts";

// Retries of the model call and one-run-per-session, against the real runtime and SDK.
let waiting: RuntimeHarness;
let impatient: RuntimeHarness;

beforeAll(async () => {
  [waiting, impatient] = await Promise.all([
    startRuntimeHarness({
      env: { AGENTLLM_MODEL_RETRIES: "2", AGENTLLM_SESSION_WAIT_MS: "10000" },
    }),
    startRuntimeHarness({ env: { AGENTLLM_SESSION_WAIT_MS: "0" } }),
  ]);
}, 30_000);

afterAll(async () => {
  await Promise.all([waiting?.close(), impatient?.close()]);
});

beforeEach(() => {
  waiting.gemini.reset();
  impatient.gemini.reset();
});

const modelCalls = (gemini: FakeGemini) =>
  gemini.requests.filter((r) => r.method === "streamGenerateContent");

function chat(
  h: RuntimeHarness,
  body: Record<string, unknown>,
  identity: { user?: string; session?: string } = {},
): Promise<Response> {
  return fetch(`${h.runtime.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${RUNTIME_TOKEN}`,
      "content-type": "application/json",
      ...(identity.user ? { "x-agentllm-user-id": identity.user } : {}),
      ...(identity.session ? { "x-agentllm-session-id": identity.session } : {}),
    },
    body: JSON.stringify({ model: "agno/demo-agent", ...body }),
  });
}

const hi = { messages: [{ role: "user", content: "hi" }] };

describe("model call retries", () => {
  it("retries a 429 after the delay Gemini asked for, then answers", async () => {
    waiting.gemini.enqueue(
      { error: { status: 429, retryAfterSeconds: 1 } },
      { parts: ["Made it."] },
    );
    const response = await chat(waiting, hi);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe("Made it.");
    const [first, second] = modelCalls(waiting.gemini);
    // Honoured Retry-After: the second attempt came no earlier than a second after the first.
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("gives up after the configured retries with a 429 and Retry-After", async () => {
    waiting.gemini.enqueue(
      { error: { status: 429, retryAfterSeconds: 1 } },
      { error: { status: 429, retryAfterSeconds: 1 } },
      { error: { status: 429, retryAfterSeconds: 1 } },
    );
    const response = await chat(waiting, hi);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(modelCalls(waiting.gemini)).toHaveLength(3);
  });

  it("retries a 5xx with backoff but never a 400", async () => {
    waiting.gemini.enqueue({ error: { status: 500 } }, { parts: ["Recovered."] });
    expect((await chat(waiting, hi)).status).toBe(200);
    expect(modelCalls(waiting.gemini)).toHaveLength(2);

    waiting.gemini.reset();
    waiting.gemini.enqueue({ error: { status: 400, message: "bad" } });
    expect((await chat(waiting, hi)).status).toBe(400);
    expect(modelCalls(waiting.gemini)).toHaveLength(1);
  });

  it("never retries once text has reached the client", async () => {
    waiting.gemini.enqueue({ parts: ["Partial ", "answer"], delayMs: 50, cutAfter: 1 });
    const response = await chat(waiting, { ...hi, stream: true });
    const text = await response.text();
    expect(text).toContain("Partial ");
    expect(text).toContain('"error"');
    expect(modelCalls(waiting.gemini)).toHaveLength(1);
  });
});

describe("one run per session", () => {
  const slow = { parts: ["one ", "two ", "three"], delayMs: 300 };

  it("queues a second request on a busy session until the first has finished", async () => {
    waiting.gemini.enqueue(slow, { parts: ["second"] });
    const identity = { user: "u1", session: "s-busy" };
    const first = chat(waiting, { ...hi, stream: true }, identity);
    await waiting.gemini.waitForRequest();
    const second = chat(waiting, hi, identity);
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await Promise.all([a.text(), b.text()]);
    const [call1, call2] = modelCalls(waiting.gemini);
    // Never interleaved: the second model call started after the first one ended.
    expect(call2?.receivedAt ?? 0).toBeGreaterThanOrEqual(
      call1?.closedAt ?? Number.POSITIVE_INFINITY,
    );
  });

  it("answers 409 session_busy when the runtime is told not to wait", async () => {
    impatient.gemini.enqueue(slow);
    const identity = { user: "u1", session: "s-409" };
    const first = chat(impatient, { ...hi, stream: true }, identity);
    await impatient.gemini.waitForRequest();
    const second = await chat(impatient, hi, identity);
    expect(second.status).toBe(409);
    const { error } = (await second.json()) as {
      error: { type: string; code: string; message: string };
    };
    expect(error).toMatchObject({ type: "conflict_error", code: "session_busy" });
    expect(error.message).toMatch(/still running/);
    expect((await first).status).toBe(200);
    expect(modelCalls(impatient.gemini)).toHaveLength(1);
  });

  it("runs different sessions, and requests without a session, side by side", async () => {
    impatient.gemini.enqueue(slow, slow, slow);
    const streams = [
      chat(impatient, { ...hi, stream: true }, { user: "u1", session: "s-a" }),
      chat(impatient, { ...hi, stream: true }, { user: "u1", session: "s-b" }),
      chat(impatient, { ...hi, stream: true }, { user: "u2" }),
    ];
    const responses = await Promise.all(streams);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await Promise.all(responses.map((r) => r.text()));
    const calls = modelCalls(impatient.gemini);
    expect(calls).toHaveLength(3);
    // All three were in flight at once: each started before any of them ended.
    const lastStart = Math.max(...calls.map((c) => c.receivedAt));
    const firstEnd = Math.min(...calls.map((c) => c.closedAt ?? Number.POSITIVE_INFINITY));
    expect(lastStart).toBeLessThan(firstEnd);
  });
});
