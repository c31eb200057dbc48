import { describe, expect, it } from "vitest";
import { chatRequestSchema } from "./chat-request-schema.ts";

const minimal = { model: "agno/demo-agent", messages: [{ role: "user", content: "Hi" }] };

/** The dotted path of the first issue, as validateBody reports it to the client. */
function firstIssuePath(body: unknown): string | undefined {
  const parsed = chatRequestSchema.safeParse(body);
  if (parsed.success) return undefined;
  return parsed.error.issues[0]?.path.map(String).join(".");
}

describe("chatRequestSchema", () => {
  it("accepts a minimal request", () => {
    const parsed = chatRequestSchema.safeParse(minimal);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual(minimal);
  });

  it("accepts a full request with every supported field", () => {
    const body = {
      ...minimal,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      top_p: 1,
      max_tokens: 1,
      max_completion_tokens: 1_000_000,
      stop: ["a", "b", "c", "d", "e"],
      n: 1,
      user: "alice",
    };
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
    expect(chatRequestSchema.safeParse({ ...body, temperature: 2, stop: "END" }).success).toBe(
      true,
    );
  });

  it("accepts null for the optional fields, as some clients send", () => {
    const body = {
      ...minimal,
      stream: null,
      stream_options: null,
      temperature: null,
      top_p: null,
      max_tokens: null,
      max_completion_tokens: null,
      stop: null,
      n: null,
      user: null,
    };
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
  });

  it("lets unknown fields through, on the request and on messages", () => {
    const body = {
      ...minimal,
      messages: [{ role: "user", content: "Hi", cache_control: { type: "ephemeral" } }],
      metadata: { chat_id: "c1" },
      presence_penalty: 0.5,
      tools: [],
    };
    const parsed = chatRequestSchema.safeParse(body);
    expect(parsed.success).toBe(true);
    expect(parsed.data).toMatchObject({ metadata: { chat_id: "c1" }, presence_penalty: 0.5 });
    expect(parsed.data?.messages[0]).toMatchObject({ cache_control: { type: "ephemeral" } });
  });

  it("accepts every role and the content shapes clients send", () => {
    const body = {
      model: "demo-agent",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Use French." }] },
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low" } },
            { type: "input_audio", input_audio: { data: "AAAA", format: "wav" } },
          ],
        },
        { role: "assistant", content: null, tool_calls: [] },
        { role: "assistant" },
        { role: "tool", content: "{}", tool_call_id: "t1" },
      ],
    };
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
  });

  it("accepts a malformed image part as an unknown part rather than failing", () => {
    // The catch-all part keeps a client from ever getting a 500 over a part's shape.
    for (const part of [
      { type: "image_url", image_url: {} },
      { type: "image_url", image_url: "https://example.com/a.png" },
    ]) {
      const body = { ...minimal, messages: [{ role: "user", content: [part] }] };
      expect(chatRequestSchema.safeParse(body).success).toBe(true);
    }
  });

  it("rejects a part without a type", () => {
    const body = { ...minimal, messages: [{ role: "user", content: [{ text: "Hi" }] }] };
    expect(firstIssuePath(body)).toMatch(/^messages\.0\.content/);
  });

  const rejected: Array<[label: string, body: Record<string, unknown>, field: string]> = [
    ["temperature 3", { ...minimal, temperature: 3 }, "temperature"],
    ["temperature -0.1", { ...minimal, temperature: -0.1 }, "temperature"],
    ["temperature as a string", { ...minimal, temperature: "1" }, "temperature"],
    ["top_p 0", { ...minimal, top_p: 0 }, "top_p"],
    ["top_p 1.5", { ...minimal, top_p: 1.5 }, "top_p"],
    ["max_tokens -1", { ...minimal, max_tokens: -1 }, "max_tokens"],
    ["max_tokens 0", { ...minimal, max_tokens: 0 }, "max_tokens"],
    ["max_tokens 1.5", { ...minimal, max_tokens: 1.5 }, "max_tokens"],
    [
      "max_completion_tokens 1.5",
      { ...minimal, max_completion_tokens: 1.5 },
      "max_completion_tokens",
    ],
    [
      "max_completion_tokens too big",
      { ...minimal, max_completion_tokens: 1_000_001 },
      "max_completion_tokens",
    ],
    ["n 2", { ...minimal, n: 2 }, "n"],
    ["n 0", { ...minimal, n: 0 }, "n"],
    ["stop with 6 entries", { ...minimal, stop: ["1", "2", "3", "4", "5", "6"] }, "stop"],
    ["stop as a number", { ...minimal, stop: 5 }, "stop"],
    ["stream as a string", { ...minimal, stream: "yes" }, "stream"],
    ["user too long", { ...minimal, user: "u".repeat(257) }, "user"],
    ["empty messages", { ...minimal, messages: [] }, "messages"],
    ["missing messages", { model: "agno/demo-agent" }, "messages"],
    ["messages not an array", { ...minimal, messages: "Hi" }, "messages"],
    [
      "unknown role",
      { ...minimal, messages: [{ role: "wizard", content: "Hi" }] },
      "messages.0.role",
    ],
    [
      "unknown role on a later message",
      {
        ...minimal,
        messages: [
          { role: "user", content: "a" },
          { role: "function", content: "b" },
        ],
      },
      "messages.1.role",
    ],
    ["missing role", { ...minimal, messages: [{ content: "Hi" }] }, "messages.0.role"],
    [
      "content a number",
      { ...minimal, messages: [{ role: "user", content: 42 }] },
      "messages.0.content",
    ],
    ["model empty", { ...minimal, model: "" }, "model"],
    ["model missing", { messages: minimal.messages }, "model"],
    ["model too long", { ...minimal, model: "m".repeat(201) }, "model"],
  ];

  it.each(rejected)("rejects %s, naming the field", (_label, body, field) => {
    const path = firstIssuePath(body);
    expect(path).toBeDefined();
    expect(path === field || path?.startsWith(`${field}.`)).toBe(true);
  });

  it("explains a bad role in words", () => {
    const parsed = chatRequestSchema.safeParse({
      ...minimal,
      messages: [{ role: "wizard", content: "Hi" }],
    });
    expect(parsed.error?.issues[0]?.message).toBe(
      "must be one of system, developer, user, assistant, tool",
    );
  });

  it("explains empty messages and n in words", () => {
    expect(
      chatRequestSchema.safeParse({ ...minimal, messages: [] }).error?.issues[0]?.message,
    ).toBe("must contain at least one message");
    expect(chatRequestSchema.safeParse({ ...minimal, n: 2 }).error?.issues[0]?.message).toBe(
      "only n=1 is supported",
    );
  });
});
