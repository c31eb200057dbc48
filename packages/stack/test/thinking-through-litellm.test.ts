import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// Thought summaries through the real LiteLLM proxy, read with the official OpenAI client:
// `reasoning_content` (an extra field the client passes through) apart from `content`, streamed
// and not, never stored as answer text, on chunks that all carry one id. Each model step's
// thoughts are one paragraph group, a blank line after the previous step's.

const MODEL = "agno/demo-agent";
const PLAN = "**Choosing a tool**\n\nThe user names a color, so I save it first.";
const CHECK = "**Wrapping up**\n\nSaved; now I confirm it in one line.";
const ANSWER = "Blue it is! I will remember that.";

type ReasoningDelta = { content?: string | null; reasoning_content?: string | null };

function thoughtParts(text: string) {
  return text.split(/(?<= )/).map((chunk) => ({ text: chunk, thought: true }));
}

describe("thought summaries through the real LiteLLM proxy", () => {
  let fx: StackFixture;

  beforeAll(async () => {
    fx = await startStackFixture();
  });

  afterAll(async () => {
    await fx?.close();
  });

  function enqueueThinkingToolRound(): void {
    fx.gemini.enqueue(
      {
        parts: [
          ...thoughtParts(PLAN),
          { functionCall: { name: "set_favorite_color", args: { color: "blue" } } },
        ],
      },
      { parts: [...thoughtParts(CHECK), "Blue it is! ", "I will remember that."] },
    );
  }

  const headers = (chat: string) => ({
    headers: { "X-OpenWebUI-User-Id": "thea", "X-OpenWebUI-Chat-Id": chat },
  });
  const ask: OpenAI.ChatCompletionMessageParam = {
    role: "user",
    content: "My favorite color is blue",
  };

  it("streams reasoning_content apart from content, on chunks with one id, and stores no thought", async () => {
    enqueueThinkingToolRound();
    const stream = await fx.client.chat.completions.create(
      { model: MODEL, messages: [ask], stream: true, stream_options: { include_usage: true } },
      headers("thinking-stream"),
    );
    let reasoning = "";
    let content = "";
    const ids = new Set<string>();
    let reasoningBeforeContent = true;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      const delta = chunk.choices[0]?.delta as ReasoningDelta | undefined;
      if (delta?.reasoning_content) {
        reasoning += delta.reasoning_content;
        if (content.includes(ANSWER.slice(0, 8))) reasoningBeforeContent = false;
      }
      content += delta?.content ?? "";
    }
    expect(reasoning).toBe(`${PLAN}\n\n${CHECK}`);
    expect(content).toContain(ANSWER);
    expect(content).toContain("set_favorite_color"); // the tool card
    for (const thought of [PLAN, CHECK]) {
      for (const line of thought.split("\n\n")) expect(content).not.toContain(line);
    }
    expect(reasoningBeforeContent).toBe(true);
    expect(ids.size).toBe(1);

    // The demo agent asks Gemini for thought summaries.
    const first = fx.gemini.requests.find((r) => r.method === "streamGenerateContent");
    expect(first?.body.generationConfig?.thinkingConfig).toEqual({
      includeThoughts: true,
      thinkingBudget: 1024,
    });

    // Next turn, as Open WebUI sends it: the answer's content only. What Gemini is sent back
    // holds no thought, neither as a thought part nor as answer text.
    fx.gemini.enqueue({ parts: ["Noted."] });
    const before = fx.gemini.requests.length;
    await fx.client.chat.completions.create(
      {
        model: MODEL,
        messages: [ask, { role: "assistant", content }, { role: "user", content: "Thanks" }],
      },
      headers("thinking-stream"),
    );
    const next = fx.gemini.requests.slice(before).find((r) => r.model === "gemini-2.5-flash");
    const sent = JSON.stringify(next?.body.contents);
    expect(sent).toContain("Blue it is!");
    expect(sent).not.toContain("Choosing a tool");
    expect(sent).not.toContain("Wrapping up");
    expect(sent).not.toContain('"thought":true');
  });

  it("answers a non-streamed request with message.reasoning_content apart from content", async () => {
    enqueueThinkingToolRound();
    const reply = await fx.client.chat.completions.create(
      { model: MODEL, messages: [ask] },
      headers("thinking-once"),
    );
    const message = reply.choices[0]?.message as OpenAI.ChatCompletionMessage & ReasoningDelta;
    expect(message.reasoning_content).toBe(`${PLAN}\n\n${CHECK}`);
    expect(message.content).toContain(ANSWER);
    expect(message.content).not.toContain("Choosing a tool");
    expect(message.content).not.toContain("Wrapping up");
  });

  it("sends no reasoning_content when the model shows no thoughts", async () => {
    fx.gemini.enqueue({ parts: ["Just ", "text."] });
    const reply = await fx.client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Say something" }] },
      headers("thinking-none"),
    );
    const message = reply.choices[0]?.message as OpenAI.ChatCompletionMessage & ReasoningDelta;
    expect(message.content).toBe("Just text.");
    expect(message.reasoning_content ?? undefined).toBeUndefined();
  });
});
