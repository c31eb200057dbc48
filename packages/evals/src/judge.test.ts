import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JUDGE_ANSWER_CHARS, judgeAnswer } from "./judge.ts";

describe("judgeAnswer", () => {
  let gemini: FakeGemini;
  beforeAll(async () => {
    gemini = await startFakeGemini({ port: 0 });
  });
  afterAll(() => gemini?.close());
  const judge = (answer = "DEMO-1 is open.") =>
    judgeAnswer(
      { rubric: "Names DEMO-1.", question: "Blockers?", answer },
      { apiKey: "k", baseUrl: gemini.url, model: "gemini-2.5-flash" },
    );

  it("asks for a strict JSON verdict at temperature 0 and returns it", async () => {
    gemini.enqueue({ parts: [{ text: '{"pass": true, "reason": "It names DEMO-1."}' }] });
    expect(await judge()).toEqual({ pass: true, reason: "It names DEMO-1." });
    const config = gemini.requests.at(-1)?.body.generationConfig as Record<string, unknown>;
    expect(config.temperature).toBe(0);
    expect(config.responseMimeType).toBe("application/json");
    expect(JSON.stringify(config.responseSchema)).toContain("pass");
  });

  it("cuts a long answer at the limit before sending it", async () => {
    gemini.enqueue({ parts: [{ text: '{"pass": false, "reason": "No."}' }] });
    await judge(`${"x".repeat(JUDGE_ANSWER_CHARS)}TAIL-BEYOND-LIMIT`);
    const sent = JSON.stringify(gemini.requests.at(-1)?.body.contents);
    expect(sent).toContain("x".repeat(100));
    expect(sent).not.toContain("TAIL-BEYOND-LIMIT");
  });

  it("fails, never passes, on a reply that is not exactly a verdict or on an error", async () => {
    gemini.enqueue({ parts: [{ text: "Yes, it passes." }] });
    expect(await judge()).toMatchObject({
      pass: false,
      reason: expect.stringContaining("no valid verdict"),
    });
    gemini.enqueue({ parts: [{ text: '{"pass": "true", "reason": "x"}' }] });
    expect((await judge()).pass).toBe(false);
    gemini.enqueue({ parts: [{ text: '{"pass": true, "reason": "x", "score": 1}' }] });
    expect((await judge()).pass).toBe(false);
    gemini.enqueue({ error: { status: 400, message: "bad" } });
    expect(await judge()).toMatchObject({
      pass: false,
      reason: expect.stringContaining("the judge failed"),
    });
  });
});
