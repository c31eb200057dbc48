import { describe, expect, it } from "vitest";
import { StepsCache } from "./steps-cache.ts";

const steps = (text: string): unknown[] => [{ role: "model", parts: [{ text }] }];

describe("StepsCache", () => {
  it("drops the least recently used turn first", () => {
    const cache = new StepsCache({ maxTurns: 2, maxBytes: 1e6 });
    cache.add("a", steps("a"));
    cache.add("b", steps("b"));
    cache.get("a");
    cache.add("c", steps("c"));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toEqual(steps("a"));
    expect(cache.get("c")).toEqual(steps("c"));
    expect(cache.size).toBe(2);
  });

  it("deep-freezes what it hands out, since every request shares it", () => {
    const cached = new StepsCache({ maxTurns: 5, maxBytes: 1e6 }).add("a", steps("a"));
    expect(Object.isFrozen(cached)).toBe(true);
    expect(Object.isFrozen(cached[0])).toBe(true);
    expect(Object.isFrozen((cached[0] as { parts: unknown[] }).parts[0])).toBe(true);
  });

  it("stays within its byte budget and refuses steps larger than all of it", () => {
    const cache = new StepsCache({ maxTurns: 100, maxBytes: 10_000 });
    for (let i = 0; i < 20; i++) cache.add(`t${i}`, steps("x".repeat(1_000)));
    expect(cache.bytes).toBeLessThanOrEqual(10_000);
    expect(cache.size).toBeLessThan(20);
    const huge = cache.add("huge", steps("y".repeat(20_000)));
    expect(Object.isFrozen(huge)).toBe(true);
    expect(cache.get("huge")).toBeUndefined();
  });

  it("keeps nothing when turned off", () => {
    const cache = new StepsCache({ maxTurns: 0, maxBytes: 1e6 });
    expect(Object.isFrozen(cache.add("a", steps("a")))).toBe(true);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
