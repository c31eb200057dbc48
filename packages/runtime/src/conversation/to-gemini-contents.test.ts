import { describe, expect, it } from "vitest";
import { type ChatMessage, chatRequestSchema } from "../http/chat-request-schema.ts";
import { toGeminiConversation } from "./to-gemini-contents.ts";
import { renderToolCard } from "./tool-card.ts";

const card = renderToolCard({
  callId: "call_1",
  name: "get_color",
  args: { key: "favorite" },
  result: { color: "teal" },
  isError: false,
});

describe("toGeminiConversation", () => {
  it("maps user and assistant to user and model", () => {
    const { system, contents } = toGeminiConversation([
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "What's my color?" },
    ]);
    expect(system).toEqual([]);
    expect(contents).toEqual([
      { role: "user", parts: [{ text: "Hi" }] },
      { role: "model", parts: [{ text: "Hello!" }] },
      { role: "user", parts: [{ text: "What's my color?" }] },
    ]);
  });

  it("collects system and developer messages in order, out of the contents", () => {
    const { system, contents } = toGeminiConversation([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "developer", content: "Answer in French." },
      { role: "system", content: [{ type: "text", text: "Sign as Bot." }] },
    ]);
    expect(system).toEqual(["Be brief.", "Answer in French.", "Sign as Bot."]);
    expect(contents).toEqual([{ role: "user", parts: [{ text: "Hi" }] }]);
  });

  it("skips system messages that are empty, blank or null", () => {
    const { system } = toGeminiConversation([
      { role: "system", content: "" },
      { role: "system", content: "  \n\t" },
      { role: "developer", content: null },
      { role: "system" },
      { role: "system", content: "kept" },
    ]);
    expect(system).toEqual(["kept"]);
  });

  it("merges consecutive user messages into one turn", () => {
    const { contents } = toGeminiConversation([
      { role: "user", content: "first" },
      { role: "user", content: "second" },
      { role: "assistant", content: "answer" },
    ]);
    expect(contents).toEqual([
      { role: "user", parts: [{ text: "first" }, { text: "second" }] },
      { role: "model", parts: [{ text: "answer" }] },
    ]);
  });

  it("merges consecutive assistant messages into one turn", () => {
    const { contents } = toGeminiConversation([
      { role: "user", content: "q" },
      { role: "assistant", content: "part one" },
      { role: "assistant", content: "part two" },
    ]);
    expect(contents).toEqual([
      { role: "user", parts: [{ text: "q" }] },
      { role: "model", parts: [{ text: "part one" }, { text: "part two" }] },
    ]);
  });

  it("strips tool cards from assistant messages", () => {
    const { contents } = toGeminiConversation([
      { role: "user", content: "color?" },
      { role: "assistant", content: `Let me check.${card}Your favorite color is teal.` },
    ]);
    expect(contents[1]).toEqual({
      role: "model",
      parts: [{ text: "Let me check.\nYour favorite color is teal." }],
    });
    expect(JSON.stringify(contents)).not.toContain("details");
  });

  it("skips an assistant message that was only tool cards, or empty", () => {
    const { contents } = toGeminiConversation([
      { role: "user", content: "one" },
      { role: "assistant", content: card },
      { role: "assistant", content: "" },
      { role: "assistant", content: null },
      { role: "assistant" },
      { role: "user", content: "two" },
    ]);
    // Nothing was left between the user messages, so they become one turn.
    expect(contents).toEqual([{ role: "user", parts: [{ text: "one" }, { text: "two" }] }]);
  });

  it("skips tool messages", () => {
    const { system, contents } = toGeminiConversation([
      { role: "user", content: "q" },
      { role: "assistant", content: "calling a client tool" },
      { role: "tool", content: '{"temperature": 21}' },
      { role: "user", content: "thanks" },
    ]);
    expect(system).toEqual([]);
    expect(contents).toEqual([
      { role: "user", parts: [{ text: "q" }] },
      { role: "model", parts: [{ text: "calling a client tool" }] },
      { role: "user", parts: [{ text: "thanks" }] },
    ]);
    expect(JSON.stringify(contents)).not.toContain("temperature");
  });

  it("skips user messages with null, missing or empty content", () => {
    const { contents } = toGeminiConversation([
      { role: "user", content: null },
      { role: "user" },
      { role: "user", content: "" },
      { role: "user", content: [] },
    ]);
    expect(contents).toEqual([]);
  });

  it("returns nothing for nothing", () => {
    expect(toGeminiConversation([])).toEqual({ system: [], contents: [] });
  });

  describe("content part arrays", () => {
    it("turns user text parts into text parts, skipping empty ones", () => {
      const { contents } = toGeminiConversation([
        {
          role: "user",
          content: [
            { type: "text", text: "Look " },
            { type: "text", text: "" },
            { type: "text", text: "here" },
          ],
        },
      ]);
      expect(contents).toEqual([{ role: "user", parts: [{ text: "Look " }, { text: "here" }] }]);
    });

    it("joins assistant text parts into one text and ignores non-text parts", () => {
      const { contents } = toGeminiConversation([
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Hello " },
            { type: "refusal", refusal: "no" },
            { type: "text", text: "world" },
          ],
        },
      ]);
      expect(contents[1]).toEqual({ role: "model", parts: [{ text: "Hello world" }] });
    });

    it("strips tool cards from assistant text parts", () => {
      const { contents } = toGeminiConversation([
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: [
            { type: "text", text: `Checking.${card}` },
            { type: "text", text: "Done." },
          ],
        },
      ]);
      expect(contents[1]).toEqual({ role: "model", parts: [{ text: "Checking.\nDone." }] });
    });

    it("turns a base64 data: image URL into inlineData", () => {
      const { contents } = toGeminiConversation([
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
            { type: "image_url", image_url: { url: "data:image/svg+xml;base64,PHN2Zz4=" } },
          ],
        },
      ]);
      expect(contents).toEqual([
        {
          role: "user",
          parts: [
            { text: "What is this?" },
            { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
            { inlineData: { mimeType: "image/svg+xml", data: "PHN2Zz4=" } },
          ],
        },
      ]);
    });

    it("explains an http(s) image URL in text instead of fetching it", () => {
      const url = "https://example.com/cat.png";
      const { contents } = toGeminiConversation([
        { role: "user", content: [{ type: "image_url", image_url: { url, detail: "high" } }] },
      ]);
      const parts = contents[0]?.parts ?? [];
      expect(parts).toHaveLength(1);
      expect(parts[0]?.inlineData).toBeUndefined();
      expect(parts[0]?.fileData).toBeUndefined();
      expect(parts[0]?.text).toContain(url);
      expect(parts[0]?.text).toMatch(/cannot open/);
    });

    it("explains a part of an unknown type in text", () => {
      const { contents } = toGeminiConversation([
        {
          role: "user",
          content: [
            { type: "text", text: "Listen:" },
            { type: "input_audio", input_audio: { data: "AAAA", format: "wav" } },
          ],
        },
      ]);
      const parts = contents[0]?.parts ?? [];
      expect(parts).toHaveLength(2);
      expect(parts[0]).toEqual({ text: "Listen:" });
      expect(parts[1]?.text).toContain("'input_audio'");
      expect(parts[1]?.text).toMatch(/cannot read/);
      expect(JSON.stringify(parts)).not.toContain("AAAA");
    });

    // Regression: a malformed image part the schema lets through used to throw (a 500).
    it("does not throw on an image_url part the schema let through with a null image_url", () => {
      const request = chatRequestSchema.parse({
        model: "agno/demo-agent",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: null }] }],
      });
      let conversation: ReturnType<typeof toGeminiConversation> | undefined;
      expect(() => {
        conversation = toGeminiConversation(request.messages);
      }).not.toThrow();
      const parts = conversation?.contents[0]?.parts ?? [];
      expect(parts).toHaveLength(1);
      expect(parts[0]?.text).toMatch(/^\[The user attached/);
    });

    it("merges a parts message with a neighbouring string message of the same role", () => {
      const { contents } = toGeminiConversation([
        { role: "user", content: "first" },
        { role: "user", content: [{ type: "text", text: "second" }] },
      ]);
      expect(contents).toEqual([{ role: "user", parts: [{ text: "first" }, { text: "second" }] }]);
    });
  });

  it("does not mutate its input", () => {
    const messages: ChatMessage[] = [
      { role: "user", content: [{ type: "text", text: "a" }] },
      { role: "user", content: "b" },
    ];
    const before = structuredClone(messages);
    toGeminiConversation(messages);
    expect(messages).toEqual(before);
  });
});
