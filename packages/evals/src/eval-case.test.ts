import { describe, expect, it } from "vitest";
import { CASE_LIMITS, InvalidCasesError, validateCases } from "./eval-case.ts";

const good = {
  id: "a-case",
  agent: "demo-agent",
  messages: [{ role: "user", content: "Hi" }],
  expectedTools: [],
  facts: [],
};

describe("validateCases", () => {
  it("accepts good cases", () => {
    expect(validateCases([good])).toEqual([good]);
  });

  it("names every problem: unknown agent, last message not the user's, duplicate id, unknown key", () => {
    const attempt = () =>
      validateCases([
        { ...good, agent: "nobody" },
        { ...good, id: "b", messages: [{ role: "assistant", content: "x" }] },
        good,
        good,
        { ...good, id: "c", extra: 1 },
      ]);
    expect(attempt).toThrow(InvalidCasesError);
    expect(attempt).toThrow(/case a-case: agent/);
    expect(attempt).toThrow(/case b: messages: the last message must be the user's/);
    expect(attempt).toThrow(/case a-case: duplicate id/);
    expect(attempt).toThrow(/Unrecognized key/);
  });

  it("takes at most the case limit, and at most the message limit per case", () => {
    const many = Array.from({ length: CASE_LIMITS.cases }, (_, i) => ({ ...good, id: `c-${i}` }));
    expect(validateCases(many)).toHaveLength(CASE_LIMITS.cases);
    expect(() => validateCases([...many, { ...good, id: "one-more" }])).toThrow(
      `${CASE_LIMITS.cases + 1} cases; at most ${CASE_LIMITS.cases}`,
    );
    const messages = Array.from({ length: CASE_LIMITS.messages }, () => good.messages[0]);
    expect(validateCases([{ ...good, messages }])).toHaveLength(1);
    expect(() => validateCases([{ ...good, messages: [...messages, good.messages[0]] }])).toThrow(
      /messages/,
    );
  });
});
