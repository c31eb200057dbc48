import { describe, expect, it } from "vitest";
import { mergeParts, streamChunks, unaryResponse } from "./response-chunks.ts";

const ctx = { model: "m", responseId: "r", promptTokenCount: 10 };

describe("streamChunks", () => {
  it("spreads an overridden count over the chunks by words, exact on the last", () => {
    const chunks = streamChunks(
      { parts: ["one two", " three four"], usage: { candidatesTokenCount: 40 } },
      ctx,
    );
    expect(chunks.map((c) => c.usageMetadata.candidatesTokenCount)).toEqual([20, 40]);
    expect(chunks.map((c) => c.usageMetadata.totalTokenCount)).toEqual([30, 50]);
  });

  it("answers an empty reply with one event carrying the finish reason", () => {
    expect(streamChunks({ parts: [], finishReason: "SAFETY" }, ctx)).toEqual([
      {
        candidates: [{ content: { role: "model" }, finishReason: "SAFETY", index: 0 }],
        usageMetadata: {
          promptTokenCount: 10,
          candidatesTokenCount: 0,
          totalTokenCount: 10,
          promptTokensDetails: [{ modality: "TEXT", tokenCount: 10 }],
        },
        modelVersion: "m",
        responseId: "r",
      },
    ]);
  });

  it("counts a function call's name and string arguments as output words", () => {
    const [chunk] = streamChunks(
      { parts: [{ functionCall: { name: "set_color", args: { color: "deep blue", n: 3 } } }] },
      ctx,
    );
    expect(chunk?.usageMetadata.candidatesTokenCount).toBe(3);
  });
});

describe("unaryResponse", () => {
  it("merges adjacent texts of the same kind and keeps everything else in order", () => {
    expect(
      mergeParts([
        { text: "a", thought: true },
        { text: "b", thought: true },
        { text: "c" },
        { text: "d" },
        { functionCall: { name: "f", args: {} } },
        { text: "e" },
      ]),
    ).toEqual([
      { text: "ab", thought: true },
      { text: "cd" },
      { functionCall: { name: "f", args: {} } },
      { text: "e" },
    ]);
    const response = unaryResponse({ parts: ["x", "y"], finishReason: "MAX_TOKENS" }, ctx);
    expect(response.candidates[0]).toEqual({
      content: { parts: [{ text: "xy" }], role: "model" },
      finishReason: "MAX_TOKENS",
      index: 0,
    });
  });
});
