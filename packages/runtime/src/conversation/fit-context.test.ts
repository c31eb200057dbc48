import type { Content } from "@google/genai";
import { describe, expect, it } from "vitest";
import { estimateTokens, fitToContext, TRIM_STEP_DIVISOR } from "./fit-context.ts";

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
    const exchange = [user(long), model(long)];
    const size = estimateTokens(user(long)) * 2;
    const contents = [...exchange, ...exchange, ...exchange, ...exchange, user("now")];
    // Three exchanges' budget: one exchange and the message over, rounded up to whole quarter
    // budgets (two of them, one and a half exchanges), so two exchanges go.
    const fitted = fitToContext(contents, size * 3);
    expect(fitted.omittedExchanges).toBe(2);
    expect(fitted.contents).toEqual([...exchange, ...exchange, user("now")]);
    expect(fitToContext(contents, 1).contents).toEqual([user("now")]);
  });

  it("moves the cut in steps of a quarter budget, so a growing conversation keeps its prefix", () => {
    const exchange = [user("question ".repeat(20)), model("answer ".repeat(20))];
    const size = exchange.reduce((sum, c) => sum + estimateTokens(c), 0);
    const budget = size * 40;
    const omitted: number[] = [];
    for (let turns = 40; turns <= 60; turns++) {
      const contents = [...Array.from({ length: turns }, () => exchange).flat(), user("now")];
      const fitted = fitToContext(contents, budget);
      const kept = fitted.contents.reduce((sum, c) => sum + estimateTokens(c), 0);
      expect(kept).toBeLessThanOrEqual(budget);
      expect(kept).toBeGreaterThanOrEqual(budget - budget / TRIM_STEP_DIVISOR - size);
      omitted.push(fitted.omittedExchanges);
    }
    // Cutting just enough would move the first exchange on each of these 20 turns.
    expect(omitted).toEqual([...omitted].sort((a, b) => a - b));
    expect(new Set(omitted).size).toBeLessThanOrEqual(3);
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
