import { describe, expect, it } from "vitest";
import type { StoredTurn } from "./session-store.ts";
import { TurnCache } from "./turn-cache.ts";

const turn = (id: string): StoredTurn => ({
  id,
  parentId: null,
  input: [{ role: "user", parts: [{ text: id }] }],
  steps: [],
  answer: id,
  status: "complete",
  usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
  createdAt: new Date(0).toISOString(),
});

describe("TurnCache", () => {
  it("drops the least recently used turn first", () => {
    const cache = new TurnCache({ maxTurns: 2, maxBytes: 1e6 });
    cache.add(turn("a"));
    cache.add(turn("b"));
    cache.get("a");
    cache.add(turn("c"));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.answer).toBe("a");
    expect(cache.get("c")?.answer).toBe("c");
    expect(cache.size).toBe(2);
  });

  it("deep-freezes what it hands out, since every caller shares it", () => {
    const cached = new TurnCache({ maxTurns: 5, maxBytes: 1e6 }).add(turn("a"));
    expect(Object.isFrozen(cached)).toBe(true);
    expect(Object.isFrozen(cached.input[0])).toBe(true);
    expect(() => {
      (cached.input as { role: string }[]).push({ role: "model" });
    }).toThrow(TypeError);
  });

  it("drops old turns to stay within its byte budget and never keeps an oversized one", () => {
    const big = (id: string): StoredTurn => ({ ...turn(id), answer: "x".repeat(4000) });
    const cache = new TurnCache({ maxTurns: 100, maxBytes: 10_000 });
    for (const id of ["a", "b", "c"]) cache.add(big(id));
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("c")?.id).toBe("c");
    expect(cache.bytes).toBeLessThanOrEqual(10_000);
    const huge = { ...turn("huge"), answer: "y".repeat(20_000) };
    expect(Object.isFrozen(cache.add(huge))).toBe(true);
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.get("c")?.id).toBe("c");
  });

  it("keeps nothing when its size is 0, but still freezes", () => {
    const cache = new TurnCache({ maxTurns: 0, maxBytes: 1e6 });
    expect(Object.isFrozen(cache.add(turn("a")))).toBe(true);
    expect(cache.get("a")).toBeUndefined();
  });
});
