import { describe, expect, it } from "vitest";
import { parseScript, wordChunks } from "./script.ts";

describe("parseScript", () => {
  it("accepts an array or {turns} of replies, errors and hangs", () => {
    const turns = [
      { parts: ["Hi", { text: "hmm", thought: true }, { functionCall: { name: "f", args: {} } }] },
      { error: { status: 429, retryAfterSeconds: 3 } },
      { hang: true },
    ];
    expect(parseScript(turns)).toEqual(turns);
    expect(parseScript({ turns })).toEqual(turns);
  });

  it("names every problem", () => {
    const bad = () =>
      parseScript([
        { parts: [{ functionCall: { name: "" } }] },
        { error: { status: 200 } },
        { hang: false },
      ]);
    expect(bad).toThrow(/invalid fake gemini script/);
    expect(() => parseScript([{ parts: [], finishReason: "DONE" }])).toThrow(/invalid/);
    expect(() => parseScript([{ parts: [], cutafter: 1 }])).toThrow(/cutafter/);
  });
});

describe("wordChunks", () => {
  it("splits text into word events that join back to the text", () => {
    const text = "Hello there,\n\nfriend! ";
    expect(wordChunks(text)).toEqual(["Hello", " there,", "\n\nfriend! "]);
    expect(wordChunks(text).join("")).toBe(text);
    expect(wordChunks("")).toEqual([]);
    expect(wordChunks("  ")).toEqual(["  "]);
  });
});
