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
    const cache = new TurnCache(2);
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
    const cached = new TurnCache(5).add(turn("a"));
    expect(Object.isFrozen(cached)).toBe(true);
    expect(Object.isFrozen(cached.input[0])).toBe(true);
    expect(() => {
      (cached.input as { role: string }[]).push({ role: "model" });
    }).toThrow(TypeError);
  });

  it("keeps nothing when its size is 0, but still freezes", () => {
    const cache = new TurnCache(0);
    expect(Object.isFrozen(cache.add(turn("a")))).toBe(true);
    expect(cache.get("a")).toBeUndefined();
  });
});
