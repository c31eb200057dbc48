import { describe, expect, it } from "vitest";
import { generationConfig } from "./generation-config.ts";

describe("generationConfig", () => {
  it("leaves thinking to the model's default when the agent says nothing about it", () => {
    expect(generationConfig({ model: "gemini-2.5-flash" }, {})).toEqual({});
    expect(generationConfig(undefined, {})).toEqual({});
  });

  it("asks for thought summaries only when the agent includes thoughts", () => {
    expect(generationConfig({ includeThoughts: true }, {}).thinkingConfig).toEqual({
      includeThoughts: true,
    });
    expect(
      generationConfig({ includeThoughts: true, thinkingBudget: 1024 }, {}).thinkingConfig,
    ).toEqual({ includeThoughts: true, thinkingBudget: 1024 });
    expect(generationConfig({ thinkingBudget: 512 }, {}).thinkingConfig).toEqual({
      thinkingBudget: 512,
    });
  });

  it("turns thinking off at budget 0, thoughts or not", () => {
    expect(
      generationConfig({ thinkingBudget: 0, includeThoughts: true }, {}).thinkingConfig,
    ).toEqual({ thinkingBudget: 0 });
  });

  it("lets the request's parameters override the agent's", () => {
    const config = generationConfig(
      { temperature: 0.7, maxOutputTokens: 100 },
      { temperature: 0.2, stopSequences: ["END"] },
    );
    expect(config).toEqual({ temperature: 0.2, maxOutputTokens: 100, stopSequences: ["END"] });
  });
});
