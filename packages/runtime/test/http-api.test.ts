import type { FakeGemini, GeminiContent, RecordedRequest } from "@agentllm/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { branchOf, readSession, type SessionKey, type StoredTurn } from "../src/sessions/index.ts";
import {
  EXPLODE_MESSAGE,
  eventually,
  parseSse,
  type RuntimeHarness,
  SLOW_TOOL_MS,
  startBareGemini,
  startRuntimeHarness,
  toolProbe,
} from "./runtime-harness.ts";

// The runtime's internal API, for real: the official openai client (and raw fetch, where the
// wire itself is the subject) → express → agent loop → @google/genai → the fake Gemini.
const MAX_BODY_BYTES = 32_768;
const DEMO = "agno/demo-agent";
const TEST_AGENT = "agno/test-agent";
const STOP_NOTICE = "\n\n(Stopped after 2 steps without a final answer.)";

let h: RuntimeHarness;
let gemini: FakeGemini;
let client: OpenAI;

beforeAll(async () => {
  h = await startRuntimeHarness({ env: { AGENTLLM_MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  gemini = h.gemini;
  client = h.client;
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  gemini.reset();
});

type Json = Record<string, unknown>;
type ErrorJson = { error: { message: string; type: string; code: string; param: string | null } };

function postChat(body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return h.fetch("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

function userMessage(text: string) {
  return [{ role: "user" as const, content: text }];
}

function identity(userId: string | undefined, sessionId: string | undefined) {
  const headers: Record<string, string> = {};
  if (userId !== undefined) headers["X-AgentLLM-User-Id"] = userId;
  if (sessionId !== undefined) headers["X-AgentLLM-Session-Id"] = sessionId;
  return headers;
}

/** The API error the openai client threw, or a failure if the call succeeded. */
async function apiError(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

function request(index: number): RecordedRequest {
  const recorded = gemini.requests[index];
  if (!recorded) throw new Error(`the fake got no request #${index} (${gemini.requests.length})`);
  return recorded;
}

function contentsOf(index: number): GeminiContent[] {
  return request(index).body.contents ?? [];
}

function systemInstructionOf(index: number): string {
  const parts = request(index).body.systemInstruction?.parts ?? [];
  return parts.map((part) => part.text ?? "").join("");
}

/** Reads a streamed response until its text contains `marker`; returns what was read. */
async function readUntil(response: Response, marker: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error("response has no body");
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(marker)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before ${JSON.stringify(marker)}: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

/** Content deltas of a parsed SSE transcript, joined. */
function streamedContent(events: ReturnType<typeof parseSse>["events"]): string {
  return events
    .filter((event): event is Json => event !== "[DONE]")
    .map((event) => {
      const choice = (event.choices as { delta?: { content?: string } }[] | undefined)?.[0];
      return choice?.delta?.content ?? "";
    })
    .join("");
}

describe("probes and the runtime token", () => {
  it("answers /healthz and /readyz without a token", async () => {
    const health = await h.fetch("/healthz", { token: null });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await h.fetch("/readyz", { token: null });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("refuses /v1/models without a token with an OpenAI 401 error", async () => {
    const response = await h.fetch("/v1/models", { token: null });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as ErrorJson;
    expect(body).toEqual({
      error: {
        type: "authentication_error",
        code: "missing_runtime_token",
        message: expect.stringMatching(/bearer token/i),
        param: null,
      },
    });
    // Every route but the probes is behind the token, unknown ones too.
    expect((await h.fetch("/no/such/route", { token: null })).status).toBe(401);
    const chat = await h.fetch("/v1/chat/completions", { method: "POST", token: null });
    expect(chat.status).toBe(401);
    expect(gemini.requests).toHaveLength(0);
  });

  it("refuses a wrong token with 401", async () => {
    const response = await h.fetch("/v1/models", { token: "not-the-runtime-token" });
    expect(response.status).toBe(401);
    const body = (await response.json()) as ErrorJson;
    expect(body.error).toMatchObject({
      type: "authentication_error",
      code: "invalid_runtime_token",
    });
    expect(body.error.message).toEqual(expect.any(String));

    const wrong = new OpenAI({
      baseURL: `${h.runtime.url}/v1`,
      apiKey: "x".repeat(21),
      maxRetries: 0,
    });
    const error = await apiError(wrong.models.list());
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe("invalid_runtime_token");
  });

  it("lists the discovered agents with the token", async () => {
    const models = await client.models.list();
    const ids = models.data.map((model) => model.id);
    expect(ids).toContain(DEMO);
    expect(ids).toContain(TEST_AGENT);
    expect(models.data.find((model) => model.id === DEMO)).toMatchObject({
      object: "model",
      owned_by: "agentllm",
    });
  });
});

describe("model resolution", () => {
  it("answers an unknown model with 404 model_not_found naming the model param", async () => {
    const error = await apiError(
      client.chat.completions.create({ model: "agno/no-such-agent", messages: userMessage("hi") }),
    );
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.status).toBe(404);
    expect(error.code).toBe("model_not_found");
    expect(error.param).toBe("model");
    expect(error.type).toBe("not_found_error");
    expect(error.message).toContain("agno/no-such-agent");
    expect(gemini.requests).toHaveLength(0);
  });

  it.each([DEMO, "demo-agent"])("serves the demo agent as %s", async (model) => {
    gemini.enqueue({
      parts: ["Hello", " from the demo"],
      usage: { promptTokenCount: 9, candidatesTokenCount: 3 },
    });
    const reply = await client.chat.completions.create({ model, messages: userMessage("Hi") });
    expect(reply.object).toBe("chat.completion");
    expect(reply.model).toBe(model);
    expect(reply.choices[0]?.message).toMatchObject({
      role: "assistant",
      content: "Hello from the demo",
    });
    expect(reply.choices[0]?.finish_reason).toBe("stop");
    expect(reply.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
    expect(request(0).model).toBe("gemini-2.5-flash");
    expect(contentsOf(0)).toEqual([{ role: "user", parts: [{ text: "Hi" }] }]);
  });

  it("passes temperature, max_tokens, top_p and stop through, over the agent's defaults", async () => {
    gemini.enqueue({ parts: ["ok"] }, { parts: ["ok"] });
    await client.chat.completions.create({
      model: DEMO,
      messages: [
        { role: "system", content: "Answer in French." },
        { role: "user", content: "Hi" },
      ],
      temperature: 0.2,
      max_tokens: 50,
      top_p: 0.9,
      stop: ["END"],
    });
    expect(request(0).body.generationConfig).toMatchObject({
      temperature: 0.2,
      maxOutputTokens: 50,
      topP: 0.9,
      stopSequences: ["END"],
    });
    expect(systemInstructionOf(0)).toMatch(/AgentLLM demo agent[\s\S]*\n\nAnswer in French\.$/);

    await client.chat.completions.create({ model: DEMO, messages: userMessage("Hi") });
    expect(request(1).body.generationConfig).toMatchObject({ temperature: 0.7 });
    expect(request(1).body.generationConfig).not.toHaveProperty("maxOutputTokens");
  });
});

describe("request validation", () => {
  const valid = { model: DEMO, messages: userMessage("hi") };

  it.each([
    ["temperature 5", { ...valid, temperature: 5 }, "temperature"],
    ["an empty message list", { ...valid, messages: [] }, "messages"],
    ["n = 2", { ...valid, n: 2 }, "n"],
    [
      "a message with an unknown role",
      { ...valid, messages: [{ role: "robot", content: "x" }] },
      "messages.0.role",
    ],
    ["a missing model", { messages: valid.messages }, "model"],
  ])("rejects %s with 400 naming the field", async (_name, body, param) => {
    const response = await postChat(body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorJson;
    expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param });
    expect(error.message.startsWith(`${param}: `)).toBe(true);
    expect(gemini.requests).toHaveLength(0);
  });

  it("continues an answer that ends the history (Open WebUI's Continue button)", async () => {
    gemini.enqueue({ parts: [" and the rest."] });
    const response = await postChat({
      model: DEMO,
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "hello" },
      ],
    });
    expect(response.status).toBe(200);
    const reply = (await response.json()) as { choices: { message: { content: string } }[] };
    // Only the continuation: the client appends it to the answer it shows.
    expect(reply.choices[0]?.message.content).toBe(" and the rest.");
    const contents = JSON.stringify(gemini.requests.at(-1)?.body.contents);
    expect(contents).toMatch(/"hi".*"hello".*Continue your previous answer/);
  });

  it("rejects an assistant message with nothing in it at the end", async () => {
    const response = await postChat({
      model: DEMO,
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "" },
      ],
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorJson;
    expect(error).toMatchObject({
      type: "invalid_request_error",
      code: "invalid_messages",
      param: "messages",
    });
    expect(gemini.requests).toHaveLength(0);
  });

  it("rejects malformed JSON with 400 invalid_json", async () => {
    const response = await postChat('{"model": "agno/demo-agent", "messages": [');
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorJson;
    expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_json" });
  });

  it.each([
    ["a JSON array", "[1, 2, 3]", "invalid_body"],
    // body-parser's strict mode refuses top-level primitives while parsing.
    ["a JSON string", '"hello"', "invalid_json"],
    ["a JSON number", "42", "invalid_json"],
  ])("rejects %s as the body with 400", async (_name, raw, code) => {
    const response = await postChat(raw);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorJson;
    expect(error).toMatchObject({ type: "invalid_request_error", code });
    expect(gemini.requests).toHaveLength(0);
  });

  it("reads an empty body as an empty object: 400 naming the missing model", async () => {
    const response = await postChat("");
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorJson;
    expect(error).toMatchObject({ code: "invalid_request", param: "model" });
  });

  it("rejects a body over AGENTLLM_MAX_BODY_BYTES with 413", async () => {
    const response = await postChat({
      model: DEMO,
      messages: userMessage("x".repeat(MAX_BODY_BYTES)),
    });
    expect(response.status).toBe(413);
    const { error } = (await response.json()) as ErrorJson;
    expect(error).toMatchObject({ type: "invalid_request_error", code: "request_too_large" });
    expect(error.message).toContain(String(MAX_BODY_BYTES));
    expect(gemini.requests).toHaveLength(0);
  });

  it("answers an unknown route with 404", async () => {
    for (const [method, pathname] of [
      ["GET", "/v1/nothing-here"],
      ["POST", "/v1/completions"],
      ["GET", "/v1/chat/completions"],
    ] as const) {
      const response = await h.fetch(pathname, { method });
      expect(response.status).toBe(404);
      const { error } = (await response.json()) as ErrorJson;
      expect(error).toMatchObject({ type: "not_found_error", code: "unknown_route" });
    }
  });

  it.each([
    ["X-AgentLLM-User-Id", "x-agentllm-user-id"],
    ["X-AgentLLM-Session-Id", "x-agentllm-session-id"],
  ])("rejects a %s over 256 characters with 400", async (header, param) => {
    const response = await postChat(valid, { ...identity("u", "s"), [header]: "a".repeat(257) });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorJson;
    expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_identity", param });
    expect(gemini.requests).toHaveLength(0);
  });
});

describe("the stream on the wire", () => {
  it("ends a stream with no text at all with its finish and [DONE]", async () => {
    gemini.enqueue({ parts: [] });
    const response = await postChat({ model: DEMO, stream: true, messages: userMessage("Hm?") });
    expect(response.status).toBe(200);
    const { events } = parseSse(await response.text());
    expect(events.at(-1)).toBe("[DONE]");
    const finishes = (events.slice(0, -1) as Json[]).flatMap((chunk) =>
      (chunk.choices as { finish_reason: unknown }[]).map((choice) => choice.finish_reason),
    );
    expect(finishes.filter(Boolean)).toEqual(["stop"]);
  });

  it("sends role, deltas, finish_reason, usage and [DONE] as OpenAI does", async () => {
    gemini.enqueue({
      parts: [{ text: "Pondering colors", thought: true }, "Hello", " world"],
      usage: { promptTokenCount: 11, candidatesTokenCount: 7, thoughtsTokenCount: 3 },
    });
    const response = await postChat(
      {
        model: DEMO,
        stream: true,
        stream_options: { include_usage: true },
        messages: userMessage("Say hello"),
      },
      { "X-Request-Id": "trace-42.a:b" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("x-request-id")).toBe("trace-42.a:b");
    const text = await response.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    const { events, strayLines } = parseSse(text);
    expect(strayLines).toEqual([]);

    expect(events.at(-1)).toBe("[DONE]");
    expect(events.filter((event) => event === "[DONE]")).toHaveLength(1);
    const chunks = events.slice(0, -1) as Json[];
    const ids = new Set(chunks.map((chunk) => chunk.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^chatcmpl-/);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: DEMO });
      expect(chunk.created).toEqual(expect.any(Number));
    }

    expect(chunks[0]?.choices).toEqual([
      { index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null },
    ]);
    type Choice = {
      delta: { content?: string; reasoning_content?: string };
      finish_reason: unknown;
    };
    const choices = chunks.flatMap((chunk) => chunk.choices as Choice[]);
    expect(choices.map((c) => c.delta.reasoning_content ?? "").join("")).toBe("Pondering colors");
    expect(streamedContent(events)).toBe("Hello world");

    const finishAt = chunks.findIndex(
      (chunk) => (chunk.choices as Choice[])[0]?.finish_reason === "stop",
    );
    expect(finishAt).toBe(chunks.length - 2);
    expect(chunks[finishAt]?.choices).toEqual([
      { index: 0, delta: {}, logprobs: null, finish_reason: "stop" },
    ]);
    expect(chunks.filter((chunk) => (chunk.choices as Choice[])[0]?.finish_reason)).toHaveLength(1);

    // The fake's final usageMetadata: prompt 11, candidates 7, thoughts 3, total 21.
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toEqual({
      prompt_tokens: 11,
      completion_tokens: 10,
      total_tokens: 21,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 3 },
    });
  });

  it("sends no usage chunk unless asked, and works with the openai client's stream", async () => {
    gemini.enqueue({ parts: ["One", " two", " three"] });
    const stream = await client.chat.completions.create({
      model: DEMO,
      stream: true,
      messages: userMessage("Count"),
    });
    let content = "";
    const finishReasons: unknown[] = [];
    let usageSeen = false;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? "";
      if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usageSeen = true;
    }
    expect(content).toBe("One two three");
    expect(finishReasons).toEqual(["stop"]);
    expect(usageSeen).toBe(false);
  });

  it("replaces an unusable X-Request-Id with its own", async () => {
    const response = await h.fetch("/healthz", {
      headers: { "X-Request-Id": "bad id with spaces" },
    });
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("upstream faults", () => {
  it("maps Gemini 429 before any output to 429 with Retry-After", async () => {
    gemini.enqueue({ error: { status: 429, retryAfterSeconds: 7 } });
    const response = await postChat({ model: DEMO, stream: true, messages: userMessage("hi") });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const { error } = (await response.json()) as ErrorJson;
    expect(error).toMatchObject({ type: "rate_limit_error", code: "upstream_rate_limited" });
    expect(gemini.requests).toHaveLength(1);
  });

  it("sends no Retry-After for a Gemini 429 without a retry delay", async () => {
    gemini.enqueue({ error: { status: 429 } });
    const error = await apiError(
      client.chat.completions.create({ model: DEMO, messages: userMessage("hi") }),
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.headers?.get("retry-after")).toBeNull();
  });

  it.each([
    [500, 502, "upstream_error", "upstream_error"],
    [503, 503, "upstream_error", "upstream_unavailable"],
    [504, 504, "timeout_error", "upstream_timeout"],
    [403, 502, "upstream_error", "upstream_auth_failed"],
    [400, 400, "invalid_request_error", "upstream_rejected_request"],
  ])("maps Gemini %i to HTTP %i", async (upstream, status, type, code) => {
    gemini.enqueue({ error: { status: upstream } }, { error: { status: upstream } });
    for (const stream of [false, true]) {
      const response = await postChat({ model: DEMO, stream, messages: userMessage("hi") });
      expect(response.status).toBe(status);
      const { error } = (await response.json()) as ErrorJson;
      expect(error).toMatchObject({ type, code });
    }
  });

  it("ends a stream cut after one chunk with HTTP 200, the first text and one error event", async () => {
    gemini.enqueue({ parts: ["Hello", " there", " friend"], cutAfter: 1 });
    const response = await postChat({ model: DEMO, stream: true, messages: userMessage("hi") });
    expect(response.status).toBe(200);
    const { events } = parseSse(await response.text());
    expect(events).not.toContain("[DONE]");
    expect(streamedContent(events)).toBe("Hello");
    const errors = events.filter((event) => event !== "[DONE]" && "error" in event);
    expect(errors).toHaveLength(1);
    expect(events.at(-1)).toBe(errors[0]);
    expect((errors[0] as ErrorJson).error).toMatchObject({
      type: "upstream_error",
      code: "upstream_connection_failed",
    });
    // No chunk claimed the answer finished.
    expect(JSON.stringify(events)).not.toContain('"finish_reason":"stop"');
  });

  it("ends a stream whose Gemini stream errors mid-way with one error event", async () => {
    gemini.enqueue({ parts: ["Half"], streamError: { status: 500, message: "backend died" } });
    const response = await postChat({ model: DEMO, stream: true, messages: userMessage("hi") });
    expect(response.status).toBe(200);
    const { events } = parseSse(await response.text());
    expect(streamedContent(events)).toBe("Half");
    expect(events).not.toContain("[DONE]");
    expect(events.at(-1)).toMatchObject({
      error: { type: "upstream_error", code: "upstream_error" },
    });
  });

  it("answers a non-streamed request whose Gemini stream was cut with 502", async () => {
    gemini.enqueue({ parts: ["Hello", " there"], cutAfter: 1 });
    const response = await postChat({ model: DEMO, messages: userMessage("hi") });
    expect(response.status).toBe(502);
    const { error } = (await response.json()) as ErrorJson;
    expect(error.type).toBe("upstream_error");
  });

  it("treats a Gemini stream that closes cleanly without a finish reason as an error", async () => {
    // The fake always ends a reply with a finishReason (or an error), so a bare server plays
    // the broken upstream here, with a second runtime pointed at it.
    const bare = await startBareGemini("Half an answer");
    const other = await startRuntimeHarness({ geminiBaseUrl: bare.url });
    try {
      const streamed = await other.fetch("/v1/chat/completions", {
        method: "POST",
        body: JSON.stringify({ model: DEMO, stream: true, messages: userMessage("hi") }),
      });
      expect(streamed.status).toBe(200);
      const { events } = parseSse(await streamed.text());
      expect(streamedContent(events)).toBe("Half an answer");
      expect(events).not.toContain("[DONE]");
      expect(events.at(-1)).toMatchObject({
        error: { type: "upstream_error", code: "upstream_stream_incomplete" },
      });

      const unary = await other.fetch("/v1/chat/completions", {
        method: "POST",
        body: JSON.stringify({ model: DEMO, messages: userMessage("hi") }),
      });
      expect(unary.status).toBe(502);
      expect(((await unary.json()) as ErrorJson).error.code).toBe("upstream_stream_incomplete");
      expect(bare.hits).toBe(2);
    } finally {
      await other.close();
      await bare.close();
    }
  });
});

describe("the tool loop", () => {
  it("sends a throwing tool's message back as { error } and still answers", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "explode", args: {} } }] },
      { parts: ["The tool broke, sorry."] },
    );
    const reply = await client.chat.completions.create({
      model: TEST_AGENT,
      messages: userMessage("Blow it up"),
    });
    expect(gemini.requests).toHaveLength(2);
    const contents = contentsOf(1);
    expect(contents.at(-2)).toMatchObject({
      role: "model",
      parts: [{ functionCall: { name: "explode", args: {} } }],
    });
    expect(contents.at(-1)).toEqual({
      role: "user",
      parts: [{ functionResponse: { name: "explode", response: { error: EXPLODE_MESSAGE } } }],
    });
    const content = reply.choices[0]?.message.content ?? "";
    expect(content).toContain("The tool broke, sorry.");
    expect(content).toMatch(
      /<details type="tool_calls" done="true"[^>]* name="explode"[^>]* error="true">/,
    );
    expect(reply.choices[0]?.finish_reason).toBe("stop");
  });

  it("times a slow tool out after its own timeoutMs and tells the model", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "slow_tool", args: {} } }] },
      { parts: ["It was too slow."] },
    );
    const started = performance.now();
    const reply = await client.chat.completions.create({
      model: TEST_AGENT,
      messages: userMessage("Run the slow tool"),
    });
    expect(performance.now() - started).toBeLessThan(SLOW_TOOL_MS / 2);
    const response = contentsOf(1).at(-1)?.parts?.[0]?.functionResponse;
    expect(response?.name).toBe("slow_tool");
    expect(String(response?.response?.error)).toMatch(/timed out after 50 ms/);
    expect(reply.choices[0]?.message.content).toContain("It was too slow.");
    expect(toolProbe().aborted).toContainEqual({ tool: "slow_tool", reason: "TimeoutError" });
  });

  it("answers a call to a tool the agent does not have with an error result", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "no_such_tool", args: { x: 1 } } }] },
      { parts: ["That tool does not exist."] },
    );
    const reply = await client.chat.completions.create({
      model: TEST_AGENT,
      messages: userMessage("Use a made-up tool"),
    });
    expect(contentsOf(1).at(-1)).toEqual({
      role: "user",
      parts: [
        {
          functionResponse: {
            name: "no_such_tool",
            response: { error: "Unknown tool 'no_such_tool'." },
          },
        },
      ],
    });
    expect(reply.choices[0]?.message.content).toContain("That tool does not exist.");
  });

  it("answers arguments that fail the tool's schema with an error result naming the field", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "echo", args: { text: 42 } } }] },
      { parts: ["Bad arguments."] },
    );
    await client.chat.completions.create({ model: TEST_AGENT, messages: userMessage("echo") });
    const error = contentsOf(1).at(-1)?.parts?.[0]?.functionResponse?.response?.error;
    expect(String(error)).toMatch(/^Invalid arguments for 'echo': text: /);
    expect(toolProbe().started.filter((tool) => tool === "echo")).toHaveLength(0);
  });

  it("stops a model that always calls a tool after maxSteps, with a notice and finish_reason length", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "echo", args: { text: "again" } } }] },
      { parts: [{ functionCall: { name: "echo", args: { text: "and again" } } }] },
      { parts: ["a third model call must never happen"] },
    );
    const stream = await client.chat.completions.create({
      model: TEST_AGENT,
      stream: true,
      messages: userMessage("Loop forever"),
    });
    let content = "";
    const finishReasons: unknown[] = [];
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? "";
      if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
    }
    expect(gemini.requests).toHaveLength(2);
    expect(gemini.pendingTurns).toBe(1);
    expect(content.endsWith(STOP_NOTICE)).toBe(true);
    expect(content.match(/<details type="tool_calls"/g)).toHaveLength(2);
    expect(finishReasons).toEqual(["length"]);
  });

  it("runs two function calls of one step side by side and returns both in one content", async () => {
    gemini.enqueue(
      {
        parts: [
          { functionCall: { name: "echo", args: { text: "first", delayMs: 300 } } },
          { functionCall: { name: "echo", args: { text: "second", delayMs: 300 } } },
        ],
      },
      { parts: ["Both echoed."] },
    );
    const started = performance.now();
    const reply = await client.chat.completions.create({
      model: TEST_AGENT,
      messages: userMessage("Echo twice"),
    });
    // Run one after the other, the two tools alone would take 600 ms.
    expect(performance.now() - started).toBeLessThan(550);
    const contents = contentsOf(1);
    expect(contents.at(-2)?.parts?.map((part) => part.functionCall?.args?.text)).toEqual([
      "first",
      "second",
    ]);
    expect(contents.at(-1)).toEqual({
      role: "user",
      parts: [
        {
          functionResponse: {
            name: "echo",
            response: { echoed: "first", user: null, session: null },
          },
        },
        {
          functionResponse: {
            name: "echo",
            response: { echoed: "second", user: null, session: null },
          },
        },
      ],
    });
    expect(reply.choices[0]?.message.content).toContain("Both echoed.");
  });

  it("streams a status line per tool call, start and done, as an empty-delta chunk with a top-level event", async () => {
    const echoThenAnswer = () =>
      gemini.enqueue(
        { parts: [{ functionCall: { name: "echo", args: { text: "ping" } } }] },
        { parts: ["Echoed."] },
      );
    echoThenAnswer();
    const response = await postChat({
      model: TEST_AGENT,
      stream: true,
      messages: userMessage("Echo"),
    });
    const { events } = parseSse(await response.text());
    const chunks = events.filter((event): event is Json => event !== "[DONE]");
    const withEvent = chunks.filter((chunk) => "event" in chunk);
    expect(withEvent.map((chunk) => chunk.event)).toEqual([
      { type: "status", data: { description: "Using the echo tool…", done: false } },
      { type: "status", data: { description: "Using the echo tool — done", done: true } },
    ]);
    for (const chunk of withEvent) {
      // A plain OpenAI client reads nothing from it: no text, no finish.
      expect(chunk.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: null }]);
    }
    const lastStatus = chunks.indexOf(withEvent.at(-1) as Json);
    const firstText = chunks.findIndex((chunk) =>
      JSON.stringify(chunk.choices).includes("Echoed."),
    );
    expect(lastStatus).toBeLessThan(firstText);
    const content = streamedContent(events);
    expect(content).not.toContain("Using the echo tool");

    echoThenAnswer();
    const reply = await postChat({ model: TEST_AGENT, messages: userMessage("Echo") });
    const body = await reply.text();
    expect(body).not.toContain("Using the echo tool");
    expect(JSON.parse(body)).not.toHaveProperty("event");
  });
});

describe("client disconnect", () => {
  it("aborts the Gemini request when a streaming client goes away after the first chunk", async () => {
    gemini.enqueue({ parts: ["First", " second", " third"], delayMs: 2_000 });
    const controller = new AbortController();
    const response = await postChat(
      { model: DEMO, stream: true, messages: userMessage("Talk slowly") },
      {},
      controller.signal,
    );
    expect(response.status).toBe(200);
    await readUntil(response, '"content":"First"');
    controller.abort();
    const aborted = await gemini.waitForAbort(0, { timeoutMs: 2_000 });
    expect(aborted.emittedAt).toHaveLength(1);
    expect(gemini.requests).toHaveLength(1);
  });

  it.each([false, true])(
    "aborts a hanging Gemini request when the client goes away (stream: %s)",
    async (stream) => {
      gemini.enqueue({ hang: true });
      const controller = new AbortController();
      const pending = postChat(
        { model: DEMO, stream, messages: userMessage("hello?") },
        {},
        controller.signal,
      );
      await gemini.waitForRequest(() => true, { timeoutMs: 2_000 });
      controller.abort();
      await expect(pending).rejects.toThrow();
      const aborted = await gemini.waitForAbort(0, { timeoutMs: 2_000 });
      expect(aborted.status).toBeUndefined();
    },
  );

  it("aborts a running tool's signal when the client goes away", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "wait_for_abort", args: {} } }] },
      { parts: ["never reached"] },
    );
    const before = toolProbe().started.length;
    const controller = new AbortController();
    const pending = postChat(
      { model: TEST_AGENT, stream: true, messages: userMessage("wait") },
      {},
      controller.signal,
    );
    await eventually(
      () => (toolProbe().started.slice(before).includes("wait_for_abort") ? true : undefined),
      "the tool to start",
    );
    controller.abort();
    // The aborted fetch rejects, before or after its headers arrived.
    await pending.then((response) => response.text()).catch(() => undefined);
    await eventually(
      () =>
        toolProbe().aborted.find(
          (entry) => entry.tool === "wait_for_abort" && entry.reason === "ClientDisconnectedError",
        ),
      "the tool's signal to abort",
    );
    expect(gemini.requests).toHaveLength(1);
    expect(gemini.pendingTurns).toBe(1);
  });
});

describe("sessions", () => {
  const key = (userId: string, sessionId: string, agent = "test-agent"): SessionKey => ({
    userId,
    agent,
    sessionId,
  });

  async function echoRoundTrip(userId: string, sessionId: string) {
    gemini.enqueue(
      {
        parts: [{ functionCall: { name: "echo", args: { text: "ping" } } }],
        usage: { promptTokenCount: 10, candidatesTokenCount: 2 },
      },
      { parts: ["Echoed ping."], usage: { promptTokenCount: 20, candidatesTokenCount: 3 } },
    );
    return client.chat.completions.create(
      { model: TEST_AGENT, messages: userMessage("Please echo ping") },
      { headers: identity(userId, sessionId) },
    );
  }

  it("stores a tool round trip as one complete turn with its calls, results, answer and usage", async () => {
    const reply = await echoRoundTrip("user-round-trip", "session-1");
    expect(reply.usage).toMatchObject({
      prompt_tokens: 30,
      completion_tokens: 5,
      total_tokens: 35,
    });

    const turns = await turnsOf(h, key("user-round-trip", "session-1"));
    expect(turns).toHaveLength(1);
    const [turn] = turns;
    expect(turn).toMatchObject({
      parentId: null,
      status: "complete",
      answer: "Echoed ping.",
      input: [{ role: "user", parts: [{ text: "Please echo ping" }] }],
      usage: { promptTokens: 30, completionTokens: 5, totalTokens: 35 },
    });
    expect(turn?.steps.slice(0, 2)).toEqual([
      { role: "model", parts: [{ functionCall: { name: "echo", args: { text: "ping" } } }] },
      {
        role: "user",
        parts: [
          {
            functionResponse: {
              name: "echo",
              response: { echoed: "ping", user: "user-round-trip", session: "session-1" },
            },
          },
        ],
      },
    ]);
    // Another agent, user or session id sees none of it.
    expect(await turnsOf(h, key("user-round-trip", "session-1", "demo-agent"))).toEqual([]);
    expect(await turnsOf(h, key("someone-else", "session-1"))).toEqual([]);
  });

  it("stores a second request of the session as a child of the first", async () => {
    const first = await echoRoundTrip("user-two-turns", "session-1");
    gemini.enqueue({ parts: ["You're welcome."] });
    await client.chat.completions.create(
      {
        model: TEST_AGENT,
        messages: [
          { role: "user", content: "Please echo ping" },
          { role: "assistant", content: first.choices[0]?.message.content ?? "" },
          { role: "user", content: "Thanks" },
        ],
      },
      { headers: identity("user-two-turns", "session-1") },
    );
    // The client's history (its tool card stripped) matched the stored turn, so the model
    // sees the stored function call and result again, which the client never had.
    expect(contentsOf(2)).toEqual([
      { role: "user", parts: [{ text: "Please echo ping" }] },
      { role: "model", parts: [{ functionCall: { name: "echo", args: { text: "ping" } } }] },
      {
        role: "user",
        parts: [
          {
            functionResponse: {
              name: "echo",
              response: { echoed: "ping", user: "user-two-turns", session: "session-1" },
            },
          },
        ],
      },
      { role: "model", parts: [{ text: "Echoed ping." }] },
      { role: "user", parts: [{ text: "Thanks" }] },
    ]);

    const turns = await turnsOf(h, key("user-two-turns", "session-1"));
    expect(turns).toHaveLength(2);
    expect(turns[1]).toMatchObject({
      parentId: turns[0]?.id,
      status: "complete",
      answer: "You're welcome.",
      input: [{ role: "user", parts: [{ text: "Thanks" }] }],
    });
    const branch = branchOf(await readSession(h.db.db, key("user-two-turns", "session-1")));
    expect(branch.map((turn) => turn.id)).toEqual(turns.map((turn) => turn.id));
  });

  it("stores nothing for a request without a user id", async () => {
    const countTurns = async () =>
      Number(
        (
          await h.db.db
            .selectFrom("session_turns")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await countTurns();
    gemini.enqueue(
      { parts: [{ functionCall: { name: "echo", args: { text: "anon" } } }] },
      { parts: ["Anonymous echo."] },
    );
    await client.chat.completions.create(
      { model: TEST_AGENT, messages: userMessage("echo anon") },
      { headers: identity(undefined, "anonymous-session") },
    );
    const sessions = await h.db.db
      .selectFrom("sessions")
      .where("session_id", "=", "anonymous-session")
      .selectAll()
      .execute();
    expect(sessions).toEqual([]);
    expect(await countTurns()).toBe(before);
    // The tool still got the session id, but no user.
    expect(contentsOf(1).at(-1)?.parts?.[0]?.functionResponse?.response).toEqual({
      echoed: "anon",
      user: null,
      session: "anonymous-session",
    });
  });

  it("stores an aborted stream as a partial turn with the text sent so far", async () => {
    gemini.enqueue({ parts: ["Partial words", " that never", " arrive"], delayMs: 2_000 });
    const controller = new AbortController();
    const response = await postChat(
      { model: TEST_AGENT, stream: true, messages: userMessage("Tell me a long story") },
      identity("user-abort", "session-abort"),
      controller.signal,
    );
    await readUntil(response, '"content":"Partial words"');
    controller.abort();
    const [turn] = await eventually(async () => {
      const turns = await turnsOf(h, key("user-abort", "session-abort"));
      return turns.length > 0 ? turns : undefined;
    }, "the partial turn");
    expect(turn).toMatchObject({
      parentId: null,
      status: "partial",
      answer: "Partial words",
      input: [{ role: "user", parts: [{ text: "Tell me a long story" }] }],
      steps: [],
    });
    await gemini.waitForAbort(0, { timeoutMs: 2_000 });
  });
});

describe("demo agent settings across sessions", () => {
  it("remembers a user's favorite color in that user's new sessions only", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "set_favorite_color", args: { color: "Blue" } } }] },
      { parts: ["Blue it is!"] },
    );
    const first = await client.chat.completions.create(
      { model: DEMO, messages: userMessage("My favorite color is blue") },
      { headers: identity("alice", "alice-chat-1") },
    );
    expect(first.choices[0]?.message.content).toContain("Blue it is!");
    expect(systemInstructionOf(0)).toContain("not configured yet");
    expect(contentsOf(1).at(-1)?.parts?.[0]?.functionResponse).toEqual({
      name: "set_favorite_color",
      response: {
        favoriteColor: "blue",
        hex: "#0000FF",
        rememberedFor: "future conversations too",
      },
    });

    gemini.enqueue({ parts: ["Welcome back!"] });
    await client.chat.completions.create(
      { model: DEMO, messages: userMessage("Hi again") },
      { headers: identity("alice", "alice-chat-2") },
    );
    expect(systemInstructionOf(2)).toContain("favorite color is **blue**");
    expect(systemInstructionOf(2)).not.toContain("not configured yet");

    gemini.enqueue({ parts: ["Hello Bob!"] });
    await client.chat.completions.create(
      { model: DEMO, messages: userMessage("Hi") },
      { headers: identity("bob", "alice-chat-2") },
    );
    expect(systemInstructionOf(3)).toContain("not configured yet");
    expect(systemInstructionOf(3)).not.toContain("**blue**");

    gemini.enqueue({ parts: ["Hello stranger!"] });
    await client.chat.completions.create({ model: DEMO, messages: userMessage("Hi") });
    expect(systemInstructionOf(4)).toContain("anonymous");
    expect(systemInstructionOf(4)).not.toContain("**blue**");
  });
});

describe("the runtime's own logs", () => {
  it("hold no server errors for anything above", () => {
    // pino level 50 = error: a 5xx the runtime caused itself, or a turn it could not store.
    const serverErrors = h.logs.filter((line) => line.level >= 50);
    expect(serverErrors).toEqual([]);
  });
});

/** Every stored turn of a session, in append order. */
async function turnsOf(h: RuntimeHarness, key: SessionKey): Promise<readonly StoredTurn[]> {
  return (await readSession(h.db.db, key)).turns;
}
