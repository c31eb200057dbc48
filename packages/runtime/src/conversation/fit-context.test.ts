import type { Content } from "@google/genai";
import { describe, expect, it } from "vitest";
import { estimateTokens, fitToContext } from "./fit-context.ts";

const user = (text: string): Content => ({ role: "user", parts: [{ text }] });
const model = (text: string): Content => ({ role: "model", parts: [{ text }] });
const call: Content = { role: "model", parts: [{ functionCall: { name: "f", args: {} } }] };
const result: Content = {
  role: "user",
  parts: [{ functionResponse: { name: "f", response: { big: "x".repeat(400) } } }],
};

describe("fitToContext", () => {
  it("keeps everything that fits", () => {
    const contents = [user("a"), model("A"), user("b")];
    expect(fitToContext(contents, 10_000)).toEqual({ contents, omittedExchanges: 0 });
  });

  it("drops the oldest whole exchanges first and always keeps the newest message", () => {
    const long = "word ".repeat(200);
    const contents = [user(long), model(long), user(long), model(long), user("now")];
    const budget = estimateTokens(user(long)) * 2 + estimateTokens(user("now"));
    const fitted = fitToContext(contents, budget);
    expect(fitted.omittedExchanges).toBe(1);
    expect(fitted.contents).toEqual([user(long), model(long), user("now")]);
    expect(fitToContext(contents, 1).contents).toEqual([user("now")]);
  });

  it("never separates a function call from its result", () => {
    const contents = [user("a"), call, result, model("A"), user("b")];
    const fitted = fitToContext(contents, estimateTokens(result));
    expect(fitted.contents).toEqual([user("b")]);
    expect(fitted.omittedExchanges).toBe(1);
  });
});

describe("estimateTokens", () => {
  it("estimates a quarter of the JSON size, text-only or not", () => {
    const contents = [user("hello there"), model(""), call, result, user('quote " and \\ slash')];
    for (const content of contents) {
      const exact = Math.ceil(JSON.stringify(content).length / 4);
      expect(Math.abs(estimateTokens(content) - exact)).toBeLessThanOrEqual(1);
    }
  });

  it("remembers frozen (stored) contents and never caches mutable ones", () => {
    const frozen = Object.freeze(user("x".repeat(400)));
    expect(estimateTokens(frozen)).toBe(estimateTokens(frozen));
    const mutable = user("short");
    const before = estimateTokens(mutable);
    mutable.parts = [{ text: "y".repeat(400) }];
    expect(estimateTokens(mutable)).toBeGreaterThan(before);
  });
});
