import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GoogleErrorBody } from "./google-error.ts";
import { type FakeGemini, startFakeGemini } from "./server.ts";

// Wire details the SDK hides: framing, headers, auth, routing and request validation.
let gemini: FakeGemini;
const generate = "/v1beta/models/gemini-2.5-flash:generateContent";
const stream = "/v1beta/models/gemini-2.5-flash:streamGenerateContent";
const hello = { contents: [{ role: "user", parts: [{ text: "hello" }] }] };

beforeAll(async () => {
  gemini = await startFakeGemini({
    responder: () => {
      throw new Error("no turn scripted");
    },
  });
});
afterEach(() => gemini.reset());
afterAll(() => gemini.close());

async function googleErrorOf(res: Response) {
  return ((await res.json()) as GoogleErrorBody).error;
}

function post(path: string, body: unknown, key: string | null = "k") {
  return fetch(`${gemini.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "x-goog-api-key": key } : {}) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("framing", () => {
  it("writes one `data: <json>` line per event, each ended by CRLF CRLF", async () => {
    gemini.enqueue({ parts: ["Hi", { functionCall: { name: "f", args: { a: 1 } } }] });
    const res = await post(`${stream}?alt=sse`, hello);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    const events = text.split("\r\n\r\n");
    expect(events.pop()).toBe("");
    expect(events).toHaveLength(2);
    const chunks = events.map((event) => {
      expect(event.startsWith("data: ")).toBe(true);
      return JSON.parse(event.slice("data: ".length));
    });
    expect(chunks[0]).toEqual({
      candidates: [{ content: { parts: [{ text: "Hi" }], role: "model" }, index: 0 }],
      usageMetadata: {
        promptTokenCount: 1,
        candidatesTokenCount: 1,
        totalTokenCount: 2,
        promptTokensDetails: [{ modality: "TEXT", tokenCount: 1 }],
      },
      modelVersion: "gemini-2.5-flash",
      responseId: expect.any(String),
    });
    expect(chunks[1].candidates[0]).toEqual({
      content: { parts: [{ functionCall: { name: "f", args: { a: 1 } } }], role: "model" },
      finishReason: "STOP",
      index: 0,
    });
  });

  it("streams a JSON array when alt=sse is missing", async () => {
    gemini.enqueue({ parts: ["a", "b"] });
    const res = await post(stream, hello);
    expect(res.headers.get("content-type")).toBe("application/json; charset=UTF-8");
    const chunks = JSON.parse(await res.text());
    expect(
      chunks.map(
        (c: { candidates: { content: { parts: unknown } }[] }) => c.candidates[0]?.content.parts,
      ),
    ).toEqual([[{ text: "a" }], [{ text: "b" }]]);
  });

  it("pretty-prints unary JSON unless prettyPrint=false, and omits parts when there are none", async () => {
    gemini.enqueue({ parts: ["x"] }, { parts: [], finishReason: "MAX_TOKENS" });
    expect(await (await post(generate, hello)).text()).toContain('\n  "candidates": [');
    const compact = await (await post(`${generate}?prettyPrint=false`, hello)).text();
    expect(JSON.parse(compact).candidates[0]).toEqual({
      content: { role: "model" },
      finishReason: "MAX_TOKENS",
      index: 0,
    });
    expect(compact).not.toContain("\n");
  });
});

describe("auth and routing", () => {
  it("accepts the key as a query parameter and redacts it in the recording", async () => {
    gemini.enqueue({ parts: ["ok"] });
    const res = await post(`${generate}?key=secret-key`, hello, null);
    expect(res.status).toBe(200);
    expect(gemini.requests[0]).toMatchObject({
      apiKeyPresent: true,
      path: `${generate}?key=REDACTED`,
    });
  });

  it("answers 403 PERMISSION_DENIED without a key, and keeps the queued turn", async () => {
    gemini.enqueue({ parts: ["kept"] });
    const res = await post(generate, hello, null);
    expect(res.status).toBe(403);
    expect(await googleErrorOf(res)).toMatchObject({ code: 403, status: "PERMISSION_DENIED" });
    expect(gemini.pendingTurns).toBe(1);
    expect(gemini.requests[0]?.apiKeyPresent).toBe(false);
  });

  it("answers 400 API_KEY_INVALID for a wrong key when one key is required", async () => {
    const strict = await startFakeGemini({ apiKey: "right" });
    try {
      const res = await fetch(`${strict.url}${generate}`, {
        method: "POST",
        headers: { "x-goog-api-key": "wrong" },
        body: JSON.stringify(hello),
      });
      expect(res.status).toBe(400);
      const error = await googleErrorOf(res);
      expect(error.status).toBe("INVALID_ARGUMENT");
      expect(error.details?.[0]).toMatchObject({ reason: "API_KEY_INVALID" });
    } finally {
      await strict.close();
    }
  });

  it("answers 404 with Google's error JSON for unknown paths", async () => {
    const res = await fetch(`${gemini.url}/v1beta/nothing-here`, {
      headers: { "x-goog-api-key": "k" },
    });
    expect(res.status).toBe(404);
    expect(await googleErrorOf(res)).toMatchObject({ code: 404, status: "NOT_FOUND" });
    expect((await fetch(`${gemini.url}${generate}`)).status).toBe(404);
  });

  it("serves a model by name", async () => {
    const res = await fetch(`${gemini.url}/v1beta/models/gemini-2.5-pro?key=k`);
    expect(((await res.json()) as { name: string }).name).toBe("models/gemini-2.5-pro");
    expect(gemini.requests[0]).toMatchObject({ method: "getModel", model: "gemini-2.5-pro" });
  });
});

describe("request validation", () => {
  it("rejects malformed JSON, missing contents and unknown fields with 400", async () => {
    const cases: [unknown, RegExp][] = [
      ["{not json", /Invalid JSON payload/],
      [{}, /contents is not specified/],
      [
        { ...hello, generationConfig: { stop: ["x"] } },
        /Unknown name "stop" at 'generation_config'/,
      ],
      [{ ...hello, temperature: 1 }, /Unknown name "temperature"/],
    ];
    for (const [body, message] of cases) {
      const res = await post(generate, body);
      expect(res.status).toBe(400);
      const error = await googleErrorOf(res);
      expect(error.status).toBe("INVALID_ARGUMENT");
      expect(error.message).toMatch(message);
    }
  });

  it("accepts snake_case field names as proto JSON does", async () => {
    gemini.enqueue({ parts: ["ok"] });
    const res = await post(generate, { ...hello, generation_config: { max_output_tokens: 5 } });
    expect(res.status).toBe(200);
  });

  it("turns a failing responder into a 500 INTERNAL", async () => {
    const res = await post(generate, hello);
    expect(res.status).toBe(500);
    expect((await googleErrorOf(res)).message).toContain("no turn scripted");
  });
});
