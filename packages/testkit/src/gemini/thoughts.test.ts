import { type GenerateContentResponse, GoogleGenAI, type ThinkingConfig } from "@google/genai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeGemini, startFakeGemini } from "./server.ts";

// Through the real @google/genai SDK, as the runtime asks.
let gemini: FakeGemini;
let ai: GoogleGenAI;
const model = "gemini-2.5-flash";

beforeAll(async () => {
  gemini = await startFakeGemini();
  ai = new GoogleGenAI({ apiKey: "test", httpOptions: { baseUrl: gemini.url } });
});
afterEach(() => gemini.reset());
afterAll(() => gemini.close());

const reply = {
  parts: [
    { text: "**Planning**\n\nI look", thought: true },
    { text: " it up.", thought: true },
    "Here",
    " it is.",
  ],
};

async function stream(thinkingConfig?: ThinkingConfig): Promise<GenerateContentResponse[]> {
  gemini.enqueue(reply);
  const chunks: GenerateContentResponse[] = [];
  const config = thinkingConfig ? { thinkingConfig } : {};
  for await (const c of await ai.models.generateContentStream({ model, contents: "q", config })) {
    chunks.push(c);
  }
  return chunks;
}

const thoughtsOf = (chunks: GenerateContentResponse[]) =>
  chunks
    .flatMap((c) => c.candidates?.[0]?.content?.parts ?? [])
    .filter((p) => p.thought)
    .map((p) => p.text)
    .join("");
const textOf = (chunks: GenerateContentResponse[]) => chunks.map((c) => c.text ?? "").join("");

describe("thought parts", () => {
  it("streams them, one event each, with thoughtsTokenCount, when includeThoughts is true", async () => {
    const chunks = await stream({ includeThoughts: true, thinkingBudget: 512 });
    expect(thoughtsOf(chunks)).toBe("**Planning**\n\nI look it up.");
    expect(chunks).toHaveLength(4);
    expect(textOf(chunks)).toBe("Here it is.");
    expect(chunks.at(-1)?.usageMetadata).toMatchObject({
      candidatesTokenCount: 3,
      thoughtsTokenCount: 5,
    });
  });

  it("leaves them out but still bills them when thoughts are not asked for", async () => {
    const chunks = await stream();
    expect(thoughtsOf(chunks)).toBe("");
    expect(textOf(chunks)).toBe("Here it is.");
    expect(chunks.at(-1)?.usageMetadata?.thoughtsTokenCount).toBe(5);
    expect(gemini.requests[0]?.turn).toMatchObject({ parts: ["Here", " it is."] });
  });

  it("neither sends nor bills them when thinking is off", async () => {
    const chunks = await stream({ thinkingBudget: 0 });
    expect(thoughtsOf(chunks)).toBe("");
    expect(textOf(chunks)).toBe("Here it is.");
    expect(chunks.at(-1)?.usageMetadata?.thoughtsTokenCount).toBeUndefined();
  });
});
