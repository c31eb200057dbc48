import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import {
  ApiError as GeminiApiError,
  type GenerateContentResponse,
  GoogleGenAI,
} from "@google/genai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ModelProviderError } from "../../errors/model-provider-error.ts";
import { fromGeminiError } from "../gemini-errors.ts";
import type { ModelClient } from "./gemini-stream.ts";
import { streamModelStep } from "./gemini-stream.ts";
import { type RetryAttempt, type RetryOptions, withRetries } from "./retrying-model-client.ts";

// The real @google/genai SDK against the testkit's fake Gemini: the production code path.
let gemini: FakeGemini;
let models: ModelClient;
const model = "gemini-2.5-flash";

beforeAll(async () => {
  gemini = await startFakeGemini();
  models = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: gemini.url } }).models;
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(gemini.pendingTurns).toBe(0);
  gemini.reset();
});
afterAll(() => gemini.close());

/** A client whose waits are recorded instead of slept, plus what it reported. */
function retrying(options: Partial<RetryOptions> = {}, client: ModelClient = models) {
  const delays: number[] = [];
  const retries: RetryAttempt[] = [];
  const wrapped = withRetries(client, {
    retries: 2,
    baseDelayMs: 100,
    maxDelayMs: 20_000,
    sleep: async (ms) => {
      delays.push(ms);
    },
    onRetry: (info) => retries.push(info),
    ...options,
  });
  return { client: wrapped, delays, retries };
}

function call(client: ModelClient, signal?: AbortSignal) {
  return client.generateContentStream({
    model,
    contents: "hi",
    config: signal ? { abortSignal: signal } : {},
  });
}

async function texts(stream: AsyncGenerator<GenerateContentResponse>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of stream) out.push(chunk.text ?? "");
  return out;
}

/** The rejection of `promise` (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("withRetries", () => {
  it("retries a 429 and delivers the answer once", async () => {
    gemini.enqueue({ error: { status: 429 } }, { parts: ["Hello", " world"] });
    const { client, retries } = retrying();
    expect(await texts(await call(client))).toEqual(["Hello", " world"]);
    expect(gemini.requests).toHaveLength(2);
    expect(retries).toEqual([{ attempt: 1, delayMs: expect.any(Number), status: 429 }]);
  });

  it("delivers each delta once through the agent loop's step reader", async () => {
    gemini.enqueue({ error: { status: 503 } }, { parts: ["Hel", "lo"] });
    const { client } = retrying();
    const deltas: string[] = [];
    const step = streamModelStep(client, { model, contents: "hi" });
    let next = await step.next();
    while (!next.done) {
      deltas.push(next.value.text);
      next = await step.next();
    }
    expect(deltas).toEqual(["Hel", "lo"]);
    expect(next.value.text).toBe("Hello");
    expect(gemini.requests).toHaveLength(2);
  });

  it("waits as long as the server's RetryInfo asks", async () => {
    gemini.enqueue({ error: { status: 429, retryAfterSeconds: 1 } }, { parts: ["ok"] });
    const { client, delays, retries } = retrying();
    expect(await texts(await call(client))).toEqual(["ok"]);
    expect(delays).toEqual([1000]);
    expect(retries).toEqual([{ attempt: 1, delayMs: 1000, status: 429 }]);
  });

  it("honours a fractional retry delay", async () => {
    gemini.enqueue({ error: { status: 429, retryAfterSeconds: 0.25 } }, { parts: ["ok"] });
    const { client, delays } = retrying();
    await texts(await call(client));
    expect(delays).toEqual([250]);
  });

  it("gives up at once when the server asks for longer than maxDelayMs, keeping its delay", async () => {
    gemini.enqueue({ error: { status: 429, retryAfterSeconds: 30 } });
    const { client, delays } = retrying({ maxDelayMs: 20_000 });
    const error = await rejection(call(client));
    expect(error).toBeInstanceOf(GeminiApiError);
    expect((error as GeminiApiError).status).toBe(429);
    expect(delays).toEqual([]);
    expect(gemini.requests).toHaveLength(1);
    expect(fromGeminiError(error)).toMatchObject({
      failure: "rate_limited",
      retryAfterSeconds: 30,
    });
  });

  it("lets the client's Retry-After survive the loop's error mapping", async () => {
    gemini.enqueue({ error: { status: 429, retryAfterSeconds: 45 } });
    const { client } = retrying();
    const error = await rejection(streamModelStep(client, { model, contents: "hi" }).next());
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ failure: "rate_limited", retryAfterSeconds: 45 });
  });

  it.each([400, 401, 403, 404])("does not retry HTTP %i", async (status) => {
    gemini.enqueue({ error: { status } });
    const { client, retries } = retrying();
    const error = await rejection(call(client));
    expect((error as GeminiApiError).status).toBe(status);
    expect(gemini.requests).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it.each([500, 502, 503, 504])("retries HTTP %i", async (status) => {
    gemini.enqueue({ error: { status } }, { parts: ["fine"] });
    const { client, retries } = retrying();
    expect(await texts(await call(client))).toEqual(["fine"]);
    expect(retries).toEqual([{ attempt: 1, delayMs: expect.any(Number), status }]);
    expect(gemini.requests).toHaveLength(2);
  });

  it("rethrows the last error once the retries are spent", async () => {
    gemini.enqueue(
      { error: { status: 503 } },
      { error: { status: 500 } },
      { error: { status: 503, message: "still overloaded" } },
    );
    const { client, retries } = retrying({ retries: 2 });
    const error = await rejection(call(client));
    expect(error).toBeInstanceOf(GeminiApiError);
    expect((error as GeminiApiError).message).toContain("still overloaded");
    expect(retries.map((r) => [r.attempt, r.status])).toEqual([
      [1, 503],
      [2, 500],
    ]);
    expect(gemini.requests).toHaveLength(3);
    expect(fromGeminiError(error)).toMatchObject({ failure: "unavailable" });
  });

  it("does not retry at all with retries 0", async () => {
    gemini.enqueue({ error: { status: 503 } });
    const { client } = retrying({ retries: 0 });
    expect(((await rejection(call(client))) as GeminiApiError).status).toBe(503);
    expect(gemini.requests).toHaveLength(1);
  });

  it("retries a stream cut before its first chunk", async () => {
    gemini.enqueue({ parts: ["lost"], cutAfter: 0 }, { parts: ["A", "B"] });
    const { client, retries } = retrying();
    expect(await texts(await call(client))).toEqual(["A", "B"]);
    expect(retries).toEqual([{ attempt: 1, delayMs: expect.any(Number), status: 0 }]);
    expect(gemini.requests).toHaveLength(2);
  });

  it("never retries once a chunk reached the caller", async () => {
    gemini.enqueue({ parts: ["Hello", " world", "!"], cutAfter: 1 });
    const { client, retries } = retrying();
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const chunk of await call(client)) seen.push(chunk.text ?? "");
      })(),
    );
    expect(seen).toEqual(["Hello"]);
    expect(error).toBeInstanceOf(TypeError);
    expect(retries).toEqual([]);
    expect(gemini.requests).toHaveLength(1);
  });

  it("retries network failures, then rethrows the last one", async () => {
    const closed = await startFakeGemini();
    const url = closed.url;
    await closed.close();
    const unreachable = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: url } }).models;
    const { client, retries } = retrying({ retries: 2 }, unreachable);
    const error = await rejection(call(client));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(retries.map((r) => r.status)).toEqual([0, 0]);
  });

  it("backs off exponentially with full jitter, capped at maxDelayMs", async () => {
    gemini.enqueue(
      { error: { status: 503 } },
      { error: { status: 503 } },
      { error: { status: 503 } },
      { error: { status: 503 } },
      { parts: ["ok"] },
    );
    const random = vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { client, delays } = retrying({ retries: 4, baseDelayMs: 100, maxDelayMs: 300 });
    await texts(await call(client));
    // Ceilings 100, 200, 400 -> 300, 800 -> 300; half of each.
    expect(delays).toEqual([50, 100, 150, 150]);
    random.mockReturnValue(0.999_999);
    gemini.enqueue({ error: { status: 503 } }, { error: { status: 503 } }, { parts: ["ok"] });
    const again = retrying({ retries: 2, baseDelayMs: 100, maxDelayMs: 300 });
    await texts(await call(again.client));
    for (const [i, delay] of again.delays.entries()) {
      expect(delay).toBeLessThanOrEqual(Math.min(300, 100 * 2 ** i));
      expect(delay).toBeGreaterThanOrEqual(0);
    }
  });

  it("stops waiting the moment the request is aborted during backoff", async () => {
    gemini.enqueue({ error: { status: 503 } });
    vi.spyOn(Math, "random").mockReturnValue(0.999);
    const controller = new AbortController();
    const reason = new Error("client disconnected");
    // The real sleep: a wait of about a minute that only the abort can end.
    const client = withRetries(models, {
      retries: 2,
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      onRetry: () => setTimeout(() => controller.abort(reason), 20),
    });
    const started = performance.now();
    const error = await rejection(call(client, controller.signal));
    expect(error).toBe(reason);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(gemini.requests).toHaveLength(1);
  });

  it("checks the signal after an injected sleep that ignores it", async () => {
    gemini.enqueue({ error: { status: 503 } });
    const controller = new AbortController();
    const reason = new Error("gone");
    const { client } = retrying({
      sleep: async () => {
        controller.abort(reason);
      },
    });
    expect(await rejection(call(client, controller.signal))).toBe(reason);
    expect(gemini.requests).toHaveLength(1);
  });

  it("does not retry a request its caller aborted, and rejects with the caller's reason", async () => {
    gemini.enqueue({ hang: true });
    const controller = new AbortController();
    const reason = new Error("stop");
    const { client, retries } = retrying();
    const pending = rejection(call(client, controller.signal));
    await gemini.waitForRequest();
    controller.abort(reason);
    expect(await pending).toBe(reason);
    await gemini.waitForAbort(0);
    expect(retries).toEqual([]);
    expect(gemini.requests).toHaveLength(1);
  });

  it("closes the upstream stream when the caller leaves after the first chunk", async () => {
    const returned = vi.fn();
    const fake: ModelClient = {
      async generateContentStream() {
        return (async function* () {
          try {
            yield { text: "one" } as GenerateContentResponse;
            yield { text: "two" } as GenerateContentResponse;
          } finally {
            returned();
          }
        })();
      },
    };
    const { client } = retrying({}, fake);
    for await (const _chunk of await call(client)) break;
    expect(returned).toHaveBeenCalledTimes(1);
  });

  it("passes an empty stream through without retrying", async () => {
    const fake: ModelClient = {
      generateContentStream: vi.fn(async () => (async function* () {})()),
    };
    const { client } = retrying({}, fake);
    expect(await texts(await call(client))).toEqual([]);
    expect(fake.generateContentStream).toHaveBeenCalledTimes(1);
  });
});
