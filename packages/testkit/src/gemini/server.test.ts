import { ApiError, type GenerateContentResponse, GoogleGenAI } from "@google/genai";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createDefaultResponder } from "./default-responder.ts";
import { type FakeGemini, startFakeGemini } from "./server.ts";

// Everything here goes through the real @google/genai SDK, the runtime's code path.
let gemini: FakeGemini;
let ai: GoogleGenAI;
const model = "gemini-2.5-flash";

beforeAll(async () => {
  gemini = await startFakeGemini({ responder: createDefaultResponder({ delayMs: 0 }) });
  ai = new GoogleGenAI({ apiKey: "test", httpOptions: { baseUrl: gemini.url } });
});
afterEach(() => {
  vi.restoreAllMocks();
  expect(gemini.pendingTurns).toBe(0);
  gemini.reset();
});
afterAll(() => gemini.close());

async function collect(stream: AsyncGenerator<GenerateContentResponse>) {
  const chunks: { at: number; chunk: GenerateContentResponse }[] = [];
  for await (const chunk of stream) chunks.push({ at: performance.now(), chunk });
  return chunks;
}

describe("streamGenerateContent", () => {
  it("delivers each text chunk as its own event, paced by delayMs", async () => {
    gemini.enqueue({ parts: ["Hello", " there", " my", " friend"], delayMs: 80 });
    const started = performance.now();
    const chunks = await collect(
      await ai.models.generateContentStream({ model, contents: "hi there" }),
    );

    expect(chunks.map(({ chunk }) => chunk.text)).toEqual(["Hello", " there", " my", " friend"]);
    const gaps = chunks.slice(1).map((c, i) => c.at - (chunks[i]?.at ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThan(40);
    expect(performance.now() - started).toBeGreaterThan(200);

    const [request] = gemini.requests;
    expect(request?.method).toBe("streamGenerateContent");
    expect(request?.path).toBe(`/v1beta/models/${model}:streamGenerateContent?alt=sse`);
    expect(request?.emittedAt).toHaveLength(4);
    const emittedGaps = request?.emittedAt.slice(1).map((t, i) => t - (request.emittedAt[i] ?? 0));
    for (const gap of emittedGaps ?? []) expect(gap).toBeGreaterThan(60);
  });

  it("reports running usage on every chunk and the finish reason on the last", async () => {
    gemini.enqueue({ parts: ["one two", " three"], finishReason: "MAX_TOKENS" });
    const chunks = await collect(
      await ai.models.generateContentStream({ model, contents: "count to three please" }),
    );
    const usage = chunks.map(({ chunk }) => chunk.usageMetadata);
    expect(usage[0]).toMatchObject({ promptTokenCount: 4, candidatesTokenCount: 2 });
    expect(usage[1]).toMatchObject({
      promptTokenCount: 4,
      candidatesTokenCount: 3,
      totalTokenCount: 7,
    });
    expect(chunks.map(({ chunk }) => chunk.candidates?.[0]?.finishReason)).toEqual([
      undefined,
      "MAX_TOKENS",
    ]);
    expect(chunks[1]?.chunk.modelVersion).toBe(model);
    expect(chunks[0]?.chunk.responseId).toBe(chunks[1]?.chunk.responseId);
  });

  it("reports the prompt an earlier request already sent as cachedContentTokenCount", async () => {
    gemini.enqueue({ parts: ["Blue."] }, { parts: ["Done."] });
    const first = [{ role: "user", parts: [{ text: "what is my favorite color" }] }];
    const firstChunks = await collect(
      await ai.models.generateContentStream({ model, contents: first }),
    );
    expect(firstChunks.at(-1)?.chunk.usageMetadata?.cachedContentTokenCount).toBeUndefined();
    const next = [
      ...first,
      { role: "model", parts: [{ text: "Blue." }] },
      { role: "user", parts: [{ text: "thanks" }] },
    ];
    const chunks = await collect(await ai.models.generateContentStream({ model, contents: next }));
    expect(chunks.at(-1)?.chunk.usageMetadata).toMatchObject({
      promptTokenCount: 7,
      cachedContentTokenCount: 5,
      cacheTokensDetails: [{ modality: "TEXT", tokenCount: 5 }],
    });
  });

  it("honours a usage override, thoughts included", async () => {
    gemini.enqueue({
      parts: [{ text: "Thinking about it", thought: true }, "Answer."],
      usage: { promptTokenCount: 100, candidatesTokenCount: 7, thoughtsTokenCount: 50 },
    });
    const chunks = await collect(
      await ai.models.generateContentStream({
        model,
        contents: "q",
        config: { thinkingConfig: { includeThoughts: true } },
      }),
    );
    expect(chunks[0]?.chunk.candidates?.[0]?.content?.parts?.[0]).toEqual({
      text: "Thinking about it",
      thought: true,
    });
    expect(chunks[0]?.chunk.text).toBeUndefined();
    expect(chunks.at(-1)?.chunk.usageMetadata).toMatchObject({
      promptTokenCount: 100,
      candidatesTokenCount: 7,
      thoughtsTokenCount: 50,
      totalTokenCount: 157,
    });
  });

  it("sends each function call as its own event, parsed by the SDK", async () => {
    gemini.enqueue({
      parts: [
        {
          functionCall: { name: "get_weather", args: { city: "Paris" } },
          thoughtSignature: "c2ln",
        },
        { functionCall: { name: "get_time", args: {} } },
      ],
    });
    const chunks = await collect(
      await ai.models.generateContentStream({
        model,
        contents: "weather and time?",
        config: {
          tools: [{ functionDeclarations: [{ name: "get_weather" }, { name: "get_time" }] }],
        },
      }),
    );
    expect(chunks.map(({ chunk }) => chunk.functionCalls)).toEqual([
      [{ name: "get_weather", args: { city: "Paris" } }],
      [{ name: "get_time", args: {} }],
    ]);
    expect(chunks[0]?.chunk.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature).toBe("c2ln");
    expect(gemini.requests[0]?.body.tools).toEqual([
      { functionDeclarations: [{ name: "get_weather" }, { name: "get_time" }] },
    ]);
  });

  it("records generationConfig and systemInstruction as sent", async () => {
    gemini.enqueue({ parts: ["ok"] });
    await collect(
      await ai.models.generateContentStream({
        model,
        contents: [{ role: "user", parts: [{ text: "hello" }] }],
        config: {
          temperature: 0.2,
          maxOutputTokens: 64,
          topP: 0.9,
          stopSequences: ["END"],
          systemInstruction: "Be brief.",
        },
      }),
    );
    const [request] = gemini.requests;
    expect(request?.body.generationConfig).toEqual({
      temperature: 0.2,
      maxOutputTokens: 64,
      topP: 0.9,
      stopSequences: ["END"],
    });
    expect(request?.body.systemInstruction).toEqual({
      parts: [{ text: "Be brief." }],
      role: "user",
    });
    expect(request?.body.contents).toEqual([{ role: "user", parts: [{ text: "hello" }] }]);
    expect(request?.apiKeyPresent).toBe(true);
    expect(request?.headers["x-goog-api-key"]).toBe("[redacted]");
    expect(request?.headers["x-goog-api-client"]).toMatch(/^google-genai-sdk\//);
  });

  it("makes the SDK iterator throw when the stream is cut mid-way", async () => {
    gemini.enqueue({ parts: ["a", "b", "c", "d"], cutAfter: 2 });
    const seen: string[] = [];
    const run = async () => {
      for await (const chunk of await ai.models.generateContentStream({ model, contents: "x" })) {
        seen.push(chunk.text ?? "");
      }
    };
    await expect(run()).rejects.toThrow(/terminated/);
    expect(seen).toEqual(["a", "b"]);
    const request = await gemini.waitForClose(0);
    expect(request).toMatchObject({ cut: true, aborted: false, status: 200 });
  });

  it("makes the SDK iterator throw when the stream is cut before the first event", async () => {
    gemini.enqueue({ parts: ["a"], cutAfter: 0 });
    const stream = await ai.models.generateContentStream({ model, contents: "x" });
    await expect(stream.next()).rejects.toThrow(/terminated/);
    expect(gemini.requests).toHaveLength(1);
  });

  it("throws the SDK's ApiError for an error event after the first chunks", async () => {
    gemini.enqueue({ parts: ["partial"], streamError: { status: 500 } });
    const seen: string[] = [];
    const run = async () => {
      for await (const chunk of await ai.models.generateContentStream({ model, contents: "x" })) {
        seen.push(chunk.text ?? "");
      }
    };
    const error = await run().catch((e) => e);
    expect(seen).toEqual(["partial"]);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(500);
    expect(error.message).toMatch(/^got status: INTERNAL\. \{"error":\{"code":500/);
    expect(gemini.requests).toHaveLength(1);
  });

  it("marks the request aborted when the caller aborts through config.abortSignal", async () => {
    gemini.enqueue({ parts: ["one", " two", " three", " four"], delayMs: 200 });
    const controller = new AbortController();
    const stream = await ai.models.generateContentStream({
      model,
      contents: "x",
      config: { abortSignal: controller.signal },
    });
    const seen: string[] = [];
    const run = async () => {
      for await (const chunk of stream) {
        seen.push(chunk.text ?? "");
        controller.abort();
      }
    };
    await expect(run()).rejects.toThrow(/abort/i);
    expect(seen).toEqual(["one"]);
    const request = await gemini.waitForAbort(0);
    expect(request.aborted).toBe(true);
    expect(request.emittedAt.length).toBeLessThan(4);
  });

  it("keeps streaming when the caller only breaks out of the loop (no abort reaches us)", async () => {
    gemini.enqueue({ parts: ["one", " two", " three"], delayMs: 30 });
    for await (const chunk of await ai.models.generateContentStream({ model, contents: "x" })) {
      expect(chunk.text).toBe("one");
      break;
    }
    // The SDK only releases its reader lock: the HTTP response still runs to the end.
    const request = await gemini.waitForClose(0);
    expect(request).toMatchObject({ aborted: false, status: 200 });
    expect(request.emittedAt).toHaveLength(3);
  });

  it("times a stalled stream out with httpOptions.timeout", async () => {
    gemini.enqueue({ parts: ["first", " never"], stallAfter: 1 });
    const run = async () => {
      const stream = await ai.models.generateContentStream({
        model,
        contents: "x",
        config: { httpOptions: { timeout: 300 } },
      });
      for await (const _ of stream) {
        // drain
      }
    };
    await expect(run()).rejects.toThrow(/abort/i);
    expect((await gemini.waitForAbort(0)).emittedAt).toHaveLength(1);
  });
});

describe("held answers (hold: { after, until })", () => {
  it("stops after `after` events until the test releases the name, then finishes", async () => {
    gemini.enqueue({ parts: ["one", " two", " three"], hold: { after: 1, until: "first" } });
    const stream = await ai.models.generateContentStream({ model, contents: "x" });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.text ?? "");
        if (seen.length === 1) gemini.release("first");
      }
    })();
    await reading;
    expect(seen).toEqual(["one", " two", " three"]);
  });

  it("holds before the first event and a unary answer too; a name released earlier holds nothing", async () => {
    gemini.release("open");
    gemini.enqueue({ parts: ["at once"], hold: { after: 0, until: "open" } });
    expect((await ai.models.generateContent({ model, contents: "x" })).text).toBe("at once");

    gemini.enqueue({ parts: ["later"], hold: { after: 0, until: "gate" } });
    const answer = ai.models.generateContent({ model, contents: "y" });
    const request = await gemini.waitForRequest((r) => JSON.stringify(r.body).includes('"y"'));
    expect(request.closedAt).toBeUndefined();
    gemini.release("gate");
    expect((await answer).text).toBe("later");
  });

  it("lets go of a held answer when the client leaves", async () => {
    gemini.enqueue({ parts: ["one", " never"], hold: { after: 1, until: "never" } });
    const controller = new AbortController();
    const stream = await ai.models.generateContentStream({
      model,
      contents: "x",
      config: { abortSignal: controller.signal },
    });
    const run = async () => {
      for await (const _ of stream) controller.abort();
    };
    await expect(run()).rejects.toThrow(/abort/i);
    expect((await gemini.waitForAbort(0)).emittedAt).toHaveLength(1);
  });
});

describe("generateContent", () => {
  it("merges a reply into one response after the delays", async () => {
    gemini.enqueue({
      parts: [{ text: "hmm", thought: true }, "Hello", " world", { functionCall: { name: "f" } }],
      delayMs: 50,
    });
    const started = performance.now();
    const response = await ai.models.generateContent({
      model,
      contents: "hi",
      config: { thinkingConfig: { includeThoughts: true } },
    });
    expect(performance.now() - started).toBeGreaterThan(120);
    expect(response.candidates?.[0]?.content).toEqual({
      role: "model",
      parts: [
        { text: "hmm", thought: true },
        { text: "Hello world" },
        { functionCall: { name: "f", args: {} } },
      ],
    });
    expect(response.functionCalls).toEqual([{ name: "f", args: {} }]);
    expect(response.candidates?.[0]?.finishReason).toBe("STOP");
    expect(response.usageMetadata).toMatchObject({
      candidatesTokenCount: 3,
      thoughtsTokenCount: 1,
    });
    expect(gemini.requests[0]?.method).toBe("generateContent");
  });

  it("answers with the responder when nothing is queued", async () => {
    const response = await ai.models.generateContent({ model, contents: "hello" });
    expect(response.text).toContain('You said: "hello"');
  });

  it("fails the SDK call when the body is cut", async () => {
    gemini.enqueue({ parts: ["Hello"], cutAfter: 0 });
    await expect(ai.models.generateContent({ model, contents: "hi" })).rejects.toThrow(
      /terminated/,
    );
    expect((await gemini.waitForClose(0)).cut).toBe(true);
  });

  it("hangs until the caller aborts", async () => {
    gemini.enqueue({ hang: true });
    const controller = new AbortController();
    const call = ai.models.generateContent({
      model,
      contents: "hi",
      config: { abortSignal: controller.signal },
    });
    await gemini.waitForRequest();
    controller.abort();
    await expect(call).rejects.toThrow(/abort/i);
    const request = await gemini.waitForAbort(0);
    expect(request.status).toBeUndefined();
  });
});

describe("HTTP errors", () => {
  it("surfaces 429 as ApiError with Retry-After and RetryInfo, without retrying", async () => {
    gemini.enqueue({ error: { status: 429, retryAfterSeconds: 7 } });
    const error = await ai.models.generateContent({ model, contents: "hi" }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    const body = JSON.parse(error.message);
    expect(body.error).toMatchObject({ code: 429, status: "RESOURCE_EXHAUSTED" });
    expect(body.error.details).toContainEqual({
      "@type": "type.googleapis.com/google.rpc.RetryInfo",
      retryDelay: "7s",
    });
    expect(gemini.requests).toHaveLength(1);

    gemini.enqueue({ error: { status: 429, retryAfterSeconds: 7 } });
    const limited = await fetch(`${gemini.url}/v1beta/models/${model}:generateContent?key=k`, {
      method: "POST",
      body: JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect(limited.headers.get("content-type")).toBe("application/json; charset=UTF-8");
  });

  it("surfaces 500 and 503 on a stream before the first chunk", async () => {
    gemini.enqueue({ error: { status: 500 } }, { error: { status: 503, message: "busy" } });
    const first = await ai.models.generateContentStream({ model, contents: "x" }).catch((e) => e);
    expect(first).toBeInstanceOf(ApiError);
    expect(first.status).toBe(500);
    expect(JSON.parse(first.message).error.status).toBe("INTERNAL");
    const second = await ai.models.generateContentStream({ model, contents: "x" }).catch((e) => e);
    expect(second.status).toBe(503);
    expect(JSON.parse(second.message).error).toEqual({
      code: 503,
      message: "busy",
      status: "UNAVAILABLE",
    });
  });

  it("lets the SDK retry only when retryOptions are set", async () => {
    gemini.enqueue({ error: { status: 503 } }, { parts: ["recovered"] });
    const retrying = new GoogleGenAI({
      apiKey: "test",
      httpOptions: { baseUrl: gemini.url, retryOptions: { attempts: 2, initialDelay: 0.01 } },
    });
    const response = await retrying.models.generateContent({ model, contents: "x" });
    expect(response.text).toBe("recovered");
    expect(gemini.requests.map((r) => r.status)).toEqual([503, 200]);
  });

  it("rejects a call without an API key the way Gemini does", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {}); // the SDK warns about the empty key
    const keyless = new GoogleGenAI({ apiKey: "", httpOptions: { baseUrl: gemini.url } });
    const error = await keyless.models.generateContent({ model, contents: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(403);
    expect(JSON.parse(error.message).error.status).toBe("PERMISSION_DENIED");
    expect(gemini.requests[0]?.apiKeyPresent).toBe(false);
  });
});

describe("other endpoints", () => {
  it("lists models and talks v1 when the SDK is told to", async () => {
    const pager = await ai.models.list();
    expect(pager.page.map((m) => m.name)).toContain("models/gemini-2.5-flash");

    const v1 = new GoogleGenAI({
      apiKey: "test",
      apiVersion: "v1",
      httpOptions: { baseUrl: gemini.url },
    });
    gemini.enqueue({ parts: ["v1 works"] });
    expect((await v1.models.generateContent({ model, contents: "x" })).text).toBe("v1 works");
    expect(gemini.requests.at(-1)?.path).toBe(`/v1/models/${model}:generateContent`);
  });
});

describe("lifecycle", () => {
  it("validates turns on enqueue", () => {
    expect(() => gemini.enqueue({ parts: ["x"], delayMs: -1 })).toThrow(/invalid fake gemini turn/);
    expect(gemini.pendingTurns).toBe(0);
  });

  it("waits for a matching request, or says what it saw", async () => {
    const waiting = gemini.waitForRequest((r) => r.body.contents?.[0]?.parts?.[0]?.text === "two");
    gemini.enqueue({ parts: ["1"] }, { parts: ["2"] });
    await ai.models.generateContent({ model, contents: "one" });
    await ai.models.generateContent({ model, contents: "two" });
    expect((await waiting).turn).toEqual({ parts: ["2"] });
    await expect(gemini.waitForAbort(0, { timeoutMs: 50 })).rejects.toThrow(
      /no abort of request 0 within 50 ms \(requests: POST \/v1beta.* -> 200 done/,
    );
    gemini.reset();
    expect(gemini.requests).toHaveLength(0);
  });

  it("closes with requests still hanging", async () => {
    const own = await startFakeGemini();
    own.enqueue({ hang: true });
    const client = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: own.url } });
    const call = client.models.generateContent({ model, contents: "x" });
    await own.waitForRequest();
    await own.close();
    await expect(call).rejects.toThrow();
    expect(own.requests[0]).toMatchObject({ aborted: false, closedAt: expect.any(Number) });
  });
});
