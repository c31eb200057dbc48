import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import {
  ApiError as GeminiApiError,
  type GenerateContentResponse,
  GoogleGenAI,
} from "@google/genai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelProviderError } from "../../errors/model-provider-error.ts";
import { type ModelClient, streamModelStep } from "./gemini-stream.ts";
import { withRetries } from "./retrying-model-client.ts";
import { withTimeouts } from "./timed-model-client.ts";

// The real @google/genai SDK against the testkit's fake Gemini: the production code path.
// Limits are small and the margins around them wide, so a slow machine does not flake.
let gemini: FakeGemini;
let models: ModelClient;
const model = "gemini-2.5-flash";

beforeAll(async () => {
  gemini = await startFakeGemini();
  models = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: gemini.url } }).models;
});
afterEach(() => {
  expect(gemini.pendingTurns).toBe(0);
  gemini.reset();
});
afterAll(() => gemini.close());

function call(client: ModelClient, signal?: AbortSignal) {
  return client.generateContentStream({
    model,
    contents: "hi",
    config: signal ? { abortSignal: signal } : {},
  });
}

/** Reads the stream into `seen`; resolves with the error that ended it, if any. */
async function drain(
  stream: AsyncGenerator<GenerateContentResponse>,
  seen: string[] = [],
  pauseMs = 0,
): Promise<unknown> {
  try {
    for await (const chunk of stream) {
      seen.push(chunk.text ?? "");
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return undefined;
  } catch (error) {
    return error;
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("withTimeouts", () => {
  it("fails a call that never answers with 504 and aborts it upstream", async () => {
    gemini.enqueue({ hang: true });
    const client = withTimeouts(models, { firstChunkMs: 200, idleMs: 10_000 });
    const started = performance.now();
    const error = await rejection(call(client));
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ failure: "timeout" });
    expect((error as ModelProviderError).message).toContain("200 ms");
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect((await gemini.waitForAbort(0)).aborted).toBe(true);
  });

  it("fails when the first chunk comes too late", async () => {
    gemini.enqueue({ parts: ["late"], firstDelayMs: 3_000 });
    const client = withTimeouts(models, { firstChunkMs: 100, idleMs: 10_000 });
    const error = await rejection(call(client));
    expect(error).toMatchObject({ failure: "timeout" });
    await gemini.waitForAbort(0);
  });

  it("fails a stream that stalls after its first chunk with 504 and aborts it", async () => {
    gemini.enqueue({ parts: ["Hello", " world"], stallAfter: 1 });
    const client = withTimeouts(models, { firstChunkMs: 10_000, idleMs: 150 });
    const seen: string[] = [];
    const error = await drain(await call(client), seen);
    expect(seen).toEqual(["Hello"]);
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ failure: "timeout" });
    expect((error as ModelProviderError).message).toContain("150 ms");
    expect((error as ModelProviderError).message).toMatch(/stalled/);
    await gemini.waitForAbort(0);
  });

  it("lets a steady stream run longer than the first-chunk limit", async () => {
    gemini.enqueue({ parts: ["a", "b", "c", "d", "e", "f"], delayMs: 100 });
    const client = withTimeouts(models, { firstChunkMs: 300, idleMs: 2_000 });
    const seen: string[] = [];
    const started = performance.now();
    expect(await drain(await call(client), seen)).toBeUndefined();
    expect(seen).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(performance.now() - started).toBeGreaterThan(300);
  });

  it("does not count the reader's own pauses as upstream silence", async () => {
    gemini.enqueue({ parts: ["a", "b", "c"] });
    const client = withTimeouts(models, { firstChunkMs: 5_000, idleMs: 100 });
    const seen: string[] = [];
    expect(await drain(await call(client), seen, 250)).toBeUndefined();
    expect(seen).toEqual(["a", "b", "c"]);
  });

  it("keeps the caller's abort reason while waiting for the first chunk", async () => {
    gemini.enqueue({ hang: true });
    const client = withTimeouts(models, { firstChunkMs: 10_000, idleMs: 10_000 });
    const controller = new AbortController();
    const reason = new Error("client disconnected");
    const pending = rejection(call(client, controller.signal));
    await gemini.waitForRequest();
    controller.abort(reason);
    expect(await pending).toBe(reason);
    await gemini.waitForAbort(0);
  });

  it("keeps the caller's abort reason mid-stream", async () => {
    gemini.enqueue({ parts: ["one", "two"], stallAfter: 1 });
    const client = withTimeouts(models, { firstChunkMs: 10_000, idleMs: 10_000 });
    const controller = new AbortController();
    const reason = new Error("client disconnected");
    const stream = await call(client, controller.signal);
    expect((await stream.next()).value?.text).toBe("one");
    const pending = stream.next();
    controller.abort(reason);
    expect(await rejection(pending)).toBe(reason);
    await gemini.waitForAbort(0);
  });

  it("rejects at once with the reason of a signal aborted before the call", async () => {
    const client = withTimeouts(models, { firstChunkMs: 10_000, idleMs: 10_000 });
    const reason = new Error("already gone");
    expect(await rejection(call(client, AbortSignal.abort(reason)))).toBe(reason);
  });

  it("aborts the upstream request when the reader leaves early", async () => {
    gemini.enqueue({ parts: ["one", "two"], stallAfter: 1 });
    const client = withTimeouts(models, { firstChunkMs: 10_000, idleMs: 10_000 });
    for await (const _chunk of await call(client)) break;
    await gemini.waitForAbort(0);
  });

  it("passes upstream errors through unchanged", async () => {
    gemini.enqueue({ error: { status: 429, retryAfterSeconds: 3 } });
    const client = withTimeouts(models, { firstChunkMs: 10_000, idleMs: 10_000 });
    const error = await rejection(call(client));
    expect(error).toBeInstanceOf(GeminiApiError);
    expect((error as GeminiApiError).status).toBe(429);
  });

  it("reaches the loop's step reader as the same 504", async () => {
    gemini.enqueue({ hang: true });
    const client = withTimeouts(models, { firstChunkMs: 100, idleMs: 10_000 });
    const error = await rejection(streamModelStep(client, { model, contents: "hi" }).next());
    expect(error).toMatchObject({ failure: "timeout" });
  });

  it("is not retried when wrapped by withRetries", async () => {
    gemini.enqueue({ hang: true });
    const client = withRetries(withTimeouts(models, { firstChunkMs: 100, idleMs: 10_000 }), {
      retries: 2,
      baseDelayMs: 1,
      maxDelayMs: 10,
    });
    const error = await rejection(call(client));
    expect(error).toMatchObject({ failure: "timeout" });
    expect(gemini.requests).toHaveLength(1);
  });

  it("times out even a client that ignores the abort signal", async () => {
    const deaf: ModelClient = { generateContentStream: () => new Promise(() => {}) };
    const client = withTimeouts(deaf, { firstChunkMs: 50, idleMs: 50 });
    expect(await rejection(call(client))).toMatchObject({ failure: "timeout" });
  });

  it("passes the merged signal to the client, leaving the caller's untouched", async () => {
    let passed: AbortSignal | undefined;
    const spy: ModelClient = {
      async generateContentStream(params) {
        passed = params.config?.abortSignal;
        return (async function* () {
          yield { text: "x" } as GenerateContentResponse;
        })();
      },
    };
    const caller = new AbortController();
    const client = withTimeouts(spy, { firstChunkMs: 1_000, idleMs: 1_000 });
    expect(await drain(await call(client, caller.signal))).toBeUndefined();
    expect(passed).toBeInstanceOf(AbortSignal);
    expect(passed).not.toBe(caller.signal);
    expect(caller.signal.aborted).toBe(false);
  });
});
