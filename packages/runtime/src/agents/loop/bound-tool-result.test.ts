import { describe, expect, it } from "vitest";
import {
  boundToolResult,
  DEFAULT_MAX_TOOL_RESULT_BYTES,
  MIN_TOOL_RESULT_BYTES,
} from "./bound-tool-result.ts";

const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

/** An object whose JSON is exactly `bytes` long: `{"text":"xxx…"}`. */
function ofSize(bytes: number, char = "x"): Record<string, unknown> {
  return { text: char.repeat(bytes - size({ text: "" })) };
}

function noteOf(result: Record<string, unknown>): string {
  const note = result.truncated ?? result._truncated;
  expect(typeof note).toBe("string");
  return note as string;
}

describe("boundToolResult", () => {
  const cap = 4096;

  it("returns a result just under the cap unchanged", () => {
    const result = ofSize(cap - 1);
    const bounded = boundToolResult(result, cap);
    expect(bounded).toEqual({ result, originalBytes: cap - 1, bytes: cap - 1, truncated: false });
    expect(bounded.result).toBe(result);
  });

  it("returns a result of exactly the cap unchanged", () => {
    const result = ofSize(cap);
    expect(size(result)).toBe(cap);
    const bounded = boundToolResult(result, cap);
    expect(bounded.truncated).toBe(false);
    expect(bounded.result).toBe(result);
  });

  it("cuts a result one byte over the cap, keeps it valid JSON under the cap, and says so", () => {
    const result = ofSize(cap + 1);
    const bounded = boundToolResult(result, cap);
    expect(bounded.truncated).toBe(true);
    expect(bounded.originalBytes).toBe(cap + 1);
    expect(bounded.bytes).toBe(size(bounded.result));
    expect(bounded.bytes).toBeLessThanOrEqual(cap);
    expect(JSON.parse(JSON.stringify(bounded.result))).toEqual(bounded.result);
    expect(noteOf(bounded.result)).toContain(`${bounded.bytes} of ${cap + 1} bytes shown`);
    expect(String(bounded.result.text)).toMatch(/^x+…$/);
  });

  it("shortens a huge string and keeps the other fields", () => {
    const result = { id: 7, title: "report", body: "y".repeat(5_000_000) };
    const bounded = boundToolResult(result, DEFAULT_MAX_TOOL_RESULT_BYTES);
    expect(bounded.bytes).toBeLessThanOrEqual(DEFAULT_MAX_TOOL_RESULT_BYTES);
    expect(bounded.result.id).toBe(7);
    expect(bounded.result.title).toBe("report");
    expect(String(bounded.result.body).length).toBeGreaterThan(1000);
    expect(noteOf(bounded.result)).toContain(`of ${size(result)} bytes shown`);
  });

  it("gives several long strings a share each rather than all to the first", () => {
    const result = { a: "a".repeat(50_000), b: "b".repeat(50_000), c: "c".repeat(50_000) };
    const bounded = boundToolResult(result, 8192);
    expect(bounded.bytes).toBeLessThanOrEqual(8192);
    for (const key of ["a", "b", "c"]) {
      expect(String(bounded.result[key]).length).toBeGreaterThan(500);
    }
  });

  it("ends a huge array early with a marker counting what was left out", () => {
    const items = Array.from({ length: 1_000_000 }, (_, i) => ({ id: i, name: `item ${i}` }));
    const bounded = boundToolResult({ items }, cap);
    expect(bounded.bytes).toBeLessThanOrEqual(cap);
    const kept = bounded.result.items as unknown[];
    expect(kept.length).toBeGreaterThan(10);
    // Whole items, up to the last one or two kept (whose strings may be shortened), then the marker.
    expect(kept.slice(0, -3)).toEqual(items.slice(0, kept.length - 3));
    expect(kept.at(-1)).toMatch(/^… \d+ more items left out$/);
    const left = Number(/(\d+)/.exec(String(kept.at(-1)))?.[1]);
    expect(left + kept.length - 1).toBe(items.length);
  });

  it("ends an object with very many keys with a marker", () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`key${i}`, i]));
    const bounded = boundToolResult(wide, cap);
    expect(bounded.bytes).toBeLessThanOrEqual(cap);
    expect(bounded.result.key0).toBe(0);
    expect(bounded.result["…"]).toMatch(/^\d+ more keys left out$/);
  });

  it("replaces values nested deeper than it walks with a marker", () => {
    let deep: unknown = "bottom ".repeat(2000);
    for (let i = 0; i < 500; i++) deep = { level: i, child: deep };
    const bounded = boundToolResult(deep as Record<string, unknown>, cap);
    expect(bounded.bytes).toBeLessThanOrEqual(cap);
    expect(JSON.stringify(bounded.result)).toContain("nested too deep");
  });

  it("counts bytes, not characters: multi-byte text stays under the cap and whole", () => {
    const result = { text: "😀é中".repeat(10_000) };
    const bounded = boundToolResult(result, cap);
    expect(bounded.bytes).toBeLessThanOrEqual(cap);
    // No lone surrogate: a cut never splits an emoji.
    expect(String(bounded.result.text)).toMatch(/^(😀é中)*(😀é?|😀é中)?…$/u);
  });

  it("counts JSON escapes: a string of quotes and newlines stays under the cap", () => {
    const bounded = boundToolResult({ text: '"\n\u0001'.repeat(20_000) }, cap);
    expect(bounded.bytes).toBeLessThanOrEqual(cap);
    expect(bounded.bytes).toBe(size(bounded.result));
  });

  it("keeps a result's own 'truncated' field and puts the note beside it", () => {
    const bounded = boundToolResult({ truncated: false, text: "z".repeat(10_000) }, cap);
    expect(bounded.result.truncated).toBe(false);
    expect(noteOf({ _truncated: bounded.result._truncated })).toContain("bytes shown");
  });

  it("fits the smallest allowed cap", () => {
    const bounded = boundToolResult(
      { rows: Array.from({ length: 1000 }, () => "row ".repeat(50)) },
      MIN_TOOL_RESULT_BYTES,
    );
    expect(bounded.bytes).toBeLessThanOrEqual(MIN_TOOL_RESULT_BYTES);
    expect(bounded.truncated).toBe(true);
  });

  it("keeps a '__proto__' key as plain data", () => {
    const result = JSON.parse(`{"__proto__": {"polluted": true}, "text": "${"q".repeat(10_000)}"}`);
    const bounded = boundToolResult(result, 2048);
    expect(JSON.stringify(bounded.result)).toContain('"__proto__":{"polluted":true}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((bounded.result as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
