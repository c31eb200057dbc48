import { describe, expect, it } from "vitest";
import { z } from "zod";
import { patternExample } from "./pattern-example.ts";

/** The pattern z.toJSONSchema emits for a string schema. */
const patternOf = (schema: z.ZodType): string =>
  (z.toJSONSchema(schema) as { pattern: string }).pattern;

describe("patternExample", () => {
  it.each([
    ["^[A-Z]{3}$", "AAA"],
    ["^\\d{5}$", "00000"],
    ["^#[0-9a-fA-F]{6}$", "#aaaaaa"],
    ["^(?:red|blue)-\\d+$", "red-0"],
    ["^ab?c*d+$", "ad"],
    ["^[^0-9]+$", "a"],
    ["^\\w{2,4}@x\\.org$", "aa@x.org"],
  ])("matches %s with a short value", (pattern, expected) => {
    expect(patternExample(pattern)).toBe(expected);
    expect(new RegExp(pattern, "u").test(expected)).toBe(true);
  });

  it.each([
    ["z.iso.time()", z.iso.time()],
    ["z.iso.date()", z.iso.date()],
    ["z.iso.datetime()", z.iso.datetime()],
    ["z.email()", z.email()],
    ["z.uuid()", z.uuid()],
    ["a regex", z.string().regex(/^INV-\d{4}$/)],
    ["z.ipv4()", z.ipv4()],
  ])("makes a value zod accepts for %s", (_label, schema) => {
    const value = patternExample(patternOf(schema));
    expect(value).toBeDefined();
    expect(schema.safeParse(value).success).toBe(true);
  });

  it("gives up on what it cannot satisfy rather than returning a wrong value", () => {
    expect(patternExample("^(a)\\1$")).toBeUndefined();
    expect(patternExample("^(?!a)a$")).toBeUndefined();
    expect(patternExample("[")).toBeUndefined();
  });
});
