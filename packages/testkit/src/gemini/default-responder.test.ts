import { type Content, GoogleGenAI, Type } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createDefaultResponder } from "./default-responder.ts";
import type { GeminiRequestBody, RecordedRequest } from "./recorded-request.ts";
import type { FakeReply } from "./script.ts";
import { type FakeGemini, startFakeGemini } from "./server.ts";

const tools = [
  {
    functionDeclarations: [
      {
        name: "generate_color_palette",
        description: "Makes a palette of harmonious colors around a base color.",
        // What the runtime sends for a zod schema: plain JSON Schema.
        parametersJsonSchema: z.toJSONSchema(
          z.object({
            base_color: z.string().describe("A color name or #hex"),
            count: z.number().int().min(2).max(8).default(5),
            mood: z.enum(["calm", "vivid"]).optional(),
          }),
        ),
      },
      {
        name: "set_favorite_color",
        description: "Remembers the user's favorite color.",
        // Gemini's own schema dialect, upper-case types.
        parameters: {
          type: Type.OBJECT,
          properties: {
            color: { type: Type.STRING, enum: ["red", "green", "blue"] },
          },
          required: ["color"],
        },
      },
      { name: "get_favorite_color", description: "Tells the user's favorite color." },
    ],
  },
];

function request(body: GeminiRequestBody): RecordedRequest {
  return {
    method: "streamGenerateContent",
    model: "gemini-2.5-flash",
    path: "/",
    httpMethod: "POST",
    apiKeyPresent: true,
    headers: {},
    body,
    receivedAt: 0,
    aborted: false,
    cut: false,
    emittedAt: [],
  };
}

const respond = createDefaultResponder({ delayMs: 0 });
const ask = (text: string) =>
  respond(request({ contents: [{ role: "user", parts: [{ text }] }], tools })) as FakeReply;

describe("default responder rules", () => {
  it("calls the tool the user mentions, with arguments taken from the words", () => {
    expect(ask("Make me a vivid palette from teal with 4 colors").parts).toEqual([
      {
        functionCall: {
          name: "generate_color_palette",
          args: { base_color: "teal", count: 4, mood: "vivid" },
        },
      },
    ]);
    expect(ask("my favorite color is blue").parts).toEqual([
      { functionCall: { name: "set_favorite_color", args: { color: "blue" } } },
    ]);
    expect(ask("What is my favorite color?").parts).toEqual([
      { functionCall: { name: "get_favorite_color", args: {} } },
    ]);
  });

  it("falls back to defaults when the words do not fit the schema", () => {
    expect(ask("a palette please").parts).toEqual([
      {
        functionCall: {
          name: "generate_color_palette",
          args: { base_color: "blue", count: 5 },
        },
      },
    ]);
    expect(ask("set my favorite color to mauve").parts).toEqual([
      { functionCall: { name: "set_favorite_color", args: { color: "red" } } },
    ]);
  });

  it("calls a new agent's tool with arguments that pass its own zod schema", () => {
    // The tool `npx just new-agent` scaffolds, declared the way the runtime declares it.
    const parameters = z.object({
      name: z.string().min(1).max(100).describe("Who to greet, e.g. 'Ada'"),
      style: z.enum(["friendly", "formal", "pirate"]).default("friendly"),
      times: z.number().int().min(1).max(3).default(1),
    });
    const greetingTools = [
      {
        functionDeclarations: [
          {
            name: "write_greeting",
            description: "Writes a greeting for a person.",
            parametersJsonSchema: z.toJSONSchema(parameters, { io: "input" }),
          },
        ],
      },
    ];
    const askGreeting = (text: string) =>
      respond(
        request({ contents: [{ role: "user", parts: [{ text }] }], tools: greetingTools }),
      ) as FakeReply;
    for (const [text, args] of [
      ["Please write a greeting for Ada", { name: "Ada" }],
      ["A pirate greeting for Grace, 3 times", { name: "Grace", style: "pirate", times: 3 }],
    ] as const) {
      const [part] = askGreeting(text).parts as [{ functionCall: { name: string; args: unknown } }];
      expect(part.functionCall).toEqual({ name: "write_greeting", args });
      expect(parameters.safeParse(part.functionCall.args).success).toBe(true);
    }
    expect(askGreeting("hi").parts.join("")).toContain('Mention one (for example "greeting")');
  });

  it("chats, naming the tools, when no tool is mentioned", () => {
    const reply = ask("hi there");
    expect(reply.parts.join("")).toBe(
      'You said: "hi there". I am the fake Gemini model of the AgentLLM testkit, so I answer by ' +
        "simple rules. I can call these tools: `generate_color_palette`, `set_favorite_color`, " +
        '`get_favorite_color`. Mention one (for example "palette") and I will call it.',
    );
    expect(reply.parts.length).toBeGreaterThan(10);
  });

  it("summarises a function response instead of calling again", () => {
    const reply = respond(
      request({
        tools,
        contents: [
          { role: "user", parts: [{ text: "palette from teal" }] },
          {
            role: "model",
            parts: [{ functionCall: { name: "generate_color_palette", args: {} } }],
          },
          {
            role: "user",
            parts: [
              {
                functionResponse: {
                  name: "generate_color_palette",
                  response: { output: { colors: ["#008080", "#00a0a0"], base: "teal" } },
                },
              },
            ],
          },
        ],
      }),
    ) as FakeReply;
    expect(reply.parts.join("")).toBe(
      "Here is what `generate_color_palette` returned:\n\n- colors: #008080, #00a0a0\n- base: teal",
    );
  });

  it("answers Open WebUI's background tasks with JSON, not a tool call", () => {
    const task = (kind: string) =>
      ask(`### Task:\nGenerate a ${kind} for the chat.\n### Chat History:\nUSER: a palette please`);
    expect(task("concise title").parts).toEqual(['{"title": "Chat with the fake Gemini"}']);
    expect(task("set of tags").parts).toEqual(['{"tags": ["General"]}']);
    expect(task("list of follow-up questions").parts).toEqual(['{"follow_ups": []}']);
  });

  it("continues its last answer when asked to (Open WebUI's Continue), without echoing the request", () => {
    const reply = respond(
      request({
        contents: [
          { role: "user", parts: [{ text: "Tell me about teal" }] },
          { role: "model", parts: [{ text: "Teal is" }] },
          {
            role: "user",
            parts: [{ text: "Continue your previous answer exactly where it stopped." }],
          },
        ],
      }),
    ) as FakeReply;
    const text = reply.parts.join("");
    expect(text).toMatch(/^ \(The fake Gemini continues/);
    expect(text).not.toContain("You said");
  });

  it("reports a tool error as such", () => {
    const reply = respond(
      request({
        contents: [
          {
            role: "user",
            parts: [{ functionResponse: { name: "t", response: { error: "boom" } } }],
          },
        ],
      }),
    ) as FakeReply;
    expect(reply.parts.join("")).toBe("The tool `t` reported an error: boom");
  });
});

describe("default responder through the SDK", () => {
  let gemini: FakeGemini;
  beforeAll(async () => {
    gemini = await startFakeGemini({ responder: createDefaultResponder({ delayMs: 5 }) });
  });
  afterAll(() => gemini.close());

  it("completes a function-call round trip", async () => {
    const ai = new GoogleGenAI({ apiKey: "test", httpOptions: { baseUrl: gemini.url } });
    const contents: Content[] = [
      { role: "user", parts: [{ text: "Please make a palette from teal" }] },
    ];
    const first = await ai.models.generateContentStream({
      model: "gemini-2.5-flash",
      contents,
      config: { tools },
    });
    const calls = [];
    for await (const chunk of first) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toEqual([
      { name: "generate_color_palette", args: { base_color: "teal", count: 5 } },
    ]);

    contents.push(
      { role: "model", parts: [{ functionCall: calls[0] }] },
      {
        role: "user",
        parts: [
          {
            functionResponse: {
              name: "generate_color_palette",
              response: { output: ["#008080", "#33a1a1", "#66b3b3"] },
            },
          },
        ],
      },
    );
    const second = await ai.models.generateContentStream({
      model: "gemini-2.5-flash",
      contents,
      config: { tools },
    });
    const texts: string[] = [];
    for await (const chunk of second) texts.push(chunk.text ?? "");
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.join("")).toBe(
      "Here is what `generate_color_palette` returned:\n\n- #008080\n- #33a1a1\n- #66b3b3",
    );
    expect(gemini.requests.map((r) => r.status)).toEqual([200, 200]);
  });
});

describe("thought summaries", () => {
  const thinkingRequest = (text: string, includeThoughts: boolean) =>
    respond(
      request({
        contents: [{ role: "user", parts: [{ text }] }],
        tools,
        generationConfig: { thinkingConfig: { includeThoughts } },
      }),
    ) as FakeReply;
  const thoughtText = (reply: FakeReply) =>
    reply.parts
      .filter((p) => typeof p === "object" && "text" in p && p.thought === true)
      .map((p) => (p as { text: string }).text)
      .join("");

  it("starts an answer with a thought summary when the request asks for one", () => {
    const reply = thinkingRequest("hello", true);
    expect(thoughtText(reply)).toBe(
      "**Reading the message**\n\nNo tool is mentioned, so I greet the user and name my tools.",
    );
    // The thought comes first, then the answer's words, none of which is a thought.
    const firstAnswer = reply.parts.findIndex((p) => typeof p === "string");
    expect(firstAnswer).toBeGreaterThan(0);
    expect(reply.parts.slice(firstAnswer).every((p) => typeof p === "string")).toBe(true);
  });

  it("says why before a tool call", () => {
    const reply = thinkingRequest("what is my favorite color?", true);
    expect(thoughtText(reply)).toContain("`get_favorite_color`");
    expect(reply.parts.at(-1)).toEqual({ functionCall: { name: "get_favorite_color", args: {} } });
  });

  it("thinks nothing aloud when not asked, nor for Open WebUI's background tasks", () => {
    expect(thoughtText(thinkingRequest("hello", false))).toBe("");
    expect(thoughtText(ask("hello"))).toBe("");
    expect(thoughtText(thinkingRequest("### Task: make a title", true))).toBe("");
  });
});
