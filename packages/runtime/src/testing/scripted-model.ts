import type { GenerateContentParameters, GenerateContentResponse, Part } from "@google/genai";
import type { ModelClient } from "../agents/loop/gemini-stream.ts";

/**
 * A model client that answers each call with the next turn's parts in one chunk (then "done"),
 * recording what it was sent: for tests of the tool loop that need no HTTP.
 */
export function scriptedModel(
  turns: Part[][],
): ModelClient & { calls: GenerateContentParameters[] } {
  const calls: GenerateContentParameters[] = [];
  return {
    calls,
    async generateContentStream(params) {
      calls.push(params);
      const parts = turns[calls.length - 1] ?? [{ text: "done" }];
      return (async function* () {
        yield {
          candidates: [{ content: { role: "model", parts }, finishReason: "STOP" }],
        } as GenerateContentResponse;
      })();
    },
  };
}
