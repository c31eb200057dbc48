import type { FakeGemini } from "@agentllm/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// The whole path, for real: official openai client → LiteLLM proxy → bridge → runtime →
// @google/genai → fake Gemini, and back.
let fx: StackFixture;
let gemini: FakeGemini;
let client: OpenAI;

beforeAll(async () => {
  fx = await startStackFixture();
  gemini = fx.gemini;
  client = fx.client;
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

beforeEach(() => {
  gemini.reset();
});

const MODEL = "agno/demo-agent";
const userHeaders = (user: string, chat: string) => ({
  headers: { "X-OpenWebUI-User-Id": user, "X-OpenWebUI-Chat-Id": chat },
});

describe("agno/demo-agent through the LiteLLM proxy", () => {
  it("is listed by /v1/models with the other two agents", async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(
      expect.arrayContaining([MODEL, "agno/release-manager", "agno/sprint-reviewer"]),
    );
  });

  it("answers a non-streaming completion with the model's text and real usage", async () => {
    gemini.enqueue({
      parts: ["Hello", " from", " the demo agent!"],
      usage: { promptTokenCount: 42, candidatesTokenCount: 7 },
    });
    const reply = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Hi there" }],
    });
    expect(reply.choices[0]?.message.content).toBe("Hello from the demo agent!");
    expect(reply.choices[0]?.finish_reason).toBe("stop");
    expect(reply.usage).toMatchObject({
      prompt_tokens: 42,
      completion_tokens: 7,
      total_tokens: 49,
    });
    const request = gemini.requests.find((r) => r.method === "streamGenerateContent");
    expect(request?.model).toBe("gemini-2.5-flash");
    expect(JSON.stringify(request?.body.contents)).toContain("Hi there");
  });

  it("streams: each chunk reaches the client before the model has produced the next", async () => {
    const words = ["one ", "two ", "three ", "four ", "five"];
    gemini.enqueue({
      parts: words,
      delayMs: 300,
      usage: { promptTokenCount: 10, candidatesTokenCount: 5 },
    });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Count to five" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const received: { text: string; at: number }[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta?.content;
      if (text) received.push({ text, at: performance.timeOrigin + performance.now() });
      if (chunk.usage) usage = chunk.usage;
    }
    expect(received.map((r) => r.text).join("")).toBe(words.join(""));
    expect(received.length).toBe(words.length);
    // Causality, not speed: chunk k was in the client's hands before the fake even emitted
    // chunk k+1, so nothing on the path buffered the answer.
    const emitted = gemini.requests.find((r) => r.method === "streamGenerateContent")?.emittedAt;
    expect(emitted?.length).toBe(words.length);
    for (let k = 0; k < words.length - 1; k++) {
      expect(received[k]?.at).toBeLessThan(emitted?.[k + 1] as number);
    }
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it("reports Gemini's cached prompt tokens as prompt_tokens_details.cached_tokens", async () => {
    const usage = { promptTokenCount: 120, cachedContentTokenCount: 96, candidatesTokenCount: 4 };
    gemini.enqueue({ parts: ["Cached", " answer."], usage }, { parts: ["Streamed."], usage });
    const messages = [{ role: "user" as const, content: "Hello again" }];
    const reply = await client.chat.completions.create({ model: MODEL, messages });
    expect(reply.usage).toMatchObject({
      prompt_tokens: 120,
      total_tokens: 124,
      prompt_tokens_details: { cached_tokens: 96 },
    });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) if (chunk.usage) streamed = chunk.usage;
    expect(streamed).toMatchObject({
      prompt_tokens: 120,
      prompt_tokens_details: { cached_tokens: 96 },
    });
  });

  it("reports a conversation's next turn as cached by the fake's implicit cache", async () => {
    gemini.enqueue({ parts: ["Red."] }, { parts: ["Still red."] });
    const headers = userHeaders("carol", "chat-cache");
    const first = [{ role: "user" as const, content: "Name a color" }];
    const one = await client.chat.completions.create({ model: MODEL, messages: first }, headers);
    expect(one.usage?.prompt_tokens_details?.cached_tokens ?? 0).toBe(0);
    const two = await client.chat.completions.create(
      {
        model: MODEL,
        messages: [
          ...first,
          { role: "assistant", content: one.choices[0]?.message.content ?? "" },
          { role: "user", content: "And again?" },
        ],
      },
      headers,
    );
    // The whole first prompt (instructions, tools, the question) is the second one's prefix.
    expect(two.usage?.prompt_tokens_details?.cached_tokens).toBe(one.usage?.prompt_tokens);
  });

  it("runs a tool round trip: the call, the function response, and a visible tool card", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "set_favorite_color", args: { color: "blue" } } }] },
      { parts: ["Blue it is! ", "I will remember that."] },
    );
    const reply = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "My favorite color is blue" }] },
      userHeaders("alice", "chat-tools"),
    );
    const content = reply.choices[0]?.message.content ?? "";
    expect(content).toContain('<details type="tool_calls" done="true"');
    expect(content).toContain('name="set_favorite_color"');
    expect(content).toContain("Blue it is! I will remember that.");

    const modelCalls = gemini.requests.filter((r) => r.method === "streamGenerateContent");
    expect(modelCalls).toHaveLength(2);
    const declared = JSON.stringify(modelCalls[0]?.body.tools);
    expect(declared).toContain("set_favorite_color");
    expect(declared).toContain("generate_color_palette");
    const lastContent = modelCalls[1]?.body.contents?.at(-1) as {
      role: string;
      parts: { functionResponse?: { name: string; response: Record<string, unknown> } }[];
    };
    expect(lastContent.role).toBe("user");
    expect(lastContent.parts[0]?.functionResponse?.name).toBe("set_favorite_color");
    expect(lastContent.parts[0]?.functionResponse?.response).toMatchObject({
      favoriteColor: "blue",
    });
    expect(reply.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("remembers a user's favorite color in a new chat, and only for that user", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "set_favorite_color", args: { color: "green" } } }] },
      { parts: ["Saved."] },
      { parts: ["Welcome back."] },
      { parts: ["Hello stranger."] },
    );
    await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "I like green" }] },
      userHeaders("carol", "chat-1"),
    );
    await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Hi again" }] },
      userHeaders("carol", "chat-2"),
    );
    await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Hi" }] },
      userHeaders("dave", "chat-2"),
    );
    const system = gemini.requests
      .filter((r) => r.method === "streamGenerateContent")
      .map((r) => JSON.stringify(r.body.systemInstruction));
    expect(system[2]).toContain("favorite color is **green**");
    expect(system[3]).toContain("favorite color is not configured yet");
  });

  it("passes temperature, max_tokens, top_p and stop through to Gemini", async () => {
    gemini.enqueue({ parts: ["ok"] });
    await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Be brief" }],
      temperature: 0.25,
      max_tokens: 77,
      top_p: 0.5,
      stop: ["END"],
    });
    const config = gemini.requests.find((r) => r.method === "streamGenerateContent")?.body
      .generationConfig;
    expect(config).toMatchObject({
      temperature: 0.25,
      maxOutputTokens: 77,
      topP: 0.5,
      stopSequences: ["END"],
    });
  });

  it("answers an unknown agent with a 4xx OpenAI error, not a 500", async () => {
    const error = await client.chat.completions
      .create({ model: "agno/no-such-agent", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const status = (error as InstanceType<typeof OpenAI.APIError>).status ?? 0;
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it("retries Gemini's 429 as asked, then keeps it a 429 for the client", async () => {
    const quota = { error: { status: 429, message: "Quota exceeded", retryAfterSeconds: 1 } };
    gemini.enqueue(quota, quota, quota);
    const error = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    // Gemini's wait, passed on by the runtime and through LiteLLM.
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get("retry-after")).toBe(
      "1",
    );
    // The first call and the runtime's two retries; LiteLLM itself never retries an agent.
    expect(gemini.requests.filter((r) => r.method === "streamGenerateContent")).toHaveLength(3);
  });

  it("ends a stream cut by the model with an error the client sees, not a silent success", async () => {
    gemini.enqueue({
      parts: ["Starting ", "an answer ", "that never ends"],
      delayMs: 50,
      cutAfter: 1,
    });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Tell me a story" }],
      stream: true,
    });
    let text = "";
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(text).toBe("Starting ");
  });

  it("aborts the Gemini request when the streaming client goes away", async () => {
    gemini.enqueue({ parts: ["first ", "second ", "third ", "fourth"], delayMs: 1_000 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Go slowly" }], stream: true },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) break;
    }
    controller.abort();
    const request = await gemini.waitForAbort(undefined, { timeoutMs: 5_000 });
    expect(request.aborted).toBe(true);
    expect(request.emittedAt.length).toBeLessThan(4);
  });
});
