import { describe, expect, it } from "vitest";
import { ImplicitCache } from "./implicit-cache.ts";
import type { GeminiRequestBody } from "./recorded-request.ts";
import { countPromptWords } from "./usage.ts";

const scope = { apiKey: "k1", model: "gemini-2.5-flash" };
const system = { parts: [{ text: "You are a helpful agent." }] };
const tools = [{ functionDeclarations: [{ name: "get_color", description: "Reads the color." }] }];
const user = (text: string) => ({ role: "user", parts: [{ text }] });
const model = (text: string) => ({ role: "model", parts: [{ text }] });

function body(...contents: GeminiRequestBody["contents"] & object): GeminiRequestBody {
  return { systemInstruction: system, tools, contents };
}

describe("ImplicitCache", () => {
  it("caches nothing the first time, then the whole earlier prompt a continuation repeats", () => {
    const cache = new ImplicitCache();
    const first = body(user("hello there"));
    expect(cache.use(scope, first)).toBe(0);
    const second = body(user("hello there"), model("hi, how can I help"), user("my color"));
    expect(cache.use(scope, second)).toBe(countPromptWords(first));
  });

  it("stops at the first content that differs, as an edit does", () => {
    const cache = new ImplicitCache();
    cache.use(scope, body(user("one"), model("two"), user("three")));
    const edited = body(user("one"), model("two"), user("three, edited"));
    expect(cache.use(scope, edited)).toBe(countPromptWords(body(user("one"), model("two"))));
  });

  it("shares nothing after a changed system instruction", () => {
    const cache = new ImplicitCache();
    cache.use(scope, body(user("one")));
    const changed = { ...body(user("one")), systemInstruction: { parts: [{ text: "Now." }] } };
    expect(cache.use(scope, changed)).toBe(0);
  });

  it("keeps keys and models apart", () => {
    const cache = new ImplicitCache();
    cache.use(scope, body(user("one")));
    expect(cache.use({ ...scope, apiKey: "k2" }, body(user("one")))).toBe(0);
    expect(cache.use({ ...scope, model: "gemini-2.5-pro" }, body(user("one")))).toBe(0);
    expect(cache.use(scope, body(user("one")))).toBe(countPromptWords(body(user("one"))));
  });

  it("caches nothing when disabled", () => {
    const cache = new ImplicitCache({ enabled: false });
    cache.use(scope, body(user("one")));
    expect(cache.use(scope, body(user("one")))).toBe(0);
    expect(cache.size).toBe(0);
  });

  it("forgets the least recently used boundaries past its limit, and no more", () => {
    // Each prompt has three boundaries: system, tools, one content.
    const cache = new ImplicitCache({ maxBoundaries: 5 });
    cache.use(scope, body(user("a")));
    cache.use(scope, body(user("b")));
    cache.use(scope, body(user("c")));
    expect(cache.size).toBe(5);
    cache.use(scope, body(user("d")));
    expect(cache.size).toBe(5);
    // "a" is gone; the system and tools boundaries it shared were used again since.
    expect(cache.use(scope, body(user("a")))).toBe(countPromptWords(body()));
    expect(cache.use(scope, body(user("d")))).toBe(countPromptWords(body(user("d"))));
  });
});
