import type { ExpectedToolCall } from "./eval-case.ts";
import type { ObservedToolCall } from "./tool-cards.ts";

/**
 * Whether `actual` satisfies `expected`, leniently, as a model phrases arguments: a string
 * matches if the actual value contains it (case and spacing ignored, so `"4.4"` matches
 * `fixVersion = "4.4"` in a JQL query); a number matches the same number or its digits in a
 * string; an array matches if each expected element matches some actual element (any order);
 * an object matches if each expected key matches (a subset).
 */
export function valueMatches(expected: unknown, actual: unknown): boolean {
  if (expected === null || expected === undefined) return actual === expected;
  if (typeof expected === "string") {
    return (
      actual !== null &&
      actual !== undefined &&
      normalize(String(typeof actual === "object" ? JSON.stringify(actual) : actual)).includes(
        normalize(expected),
      )
    );
  }
  if (typeof expected === "number") {
    if (typeof actual === "number") return actual === expected;
    return typeof actual === "string" && new RegExp(`(^|\\D)${expected}(\\D|$)`).test(actual);
  }
  if (typeof expected === "boolean") return actual === expected || actual === String(expected);
  if (Array.isArray(expected)) {
    const items = Array.isArray(actual) ? actual : [actual];
    return expected.every((item) => items.some((candidate) => valueMatches(item, candidate)));
  }
  if (typeof expected === "object") {
    if (!actual || typeof actual !== "object") return false;
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).every(([key, value]) => valueMatches(value, record[key]));
  }
  return false;
}

/** The expected calls no observed call satisfies (order-insensitive; one call may serve several). */
export function missingToolCalls(
  expected: readonly ExpectedToolCall[],
  observed: readonly ObservedToolCall[],
): ExpectedToolCall[] {
  return expected.filter(
    (want) =>
      !observed.some(
        (call) =>
          call.name === want.name && !call.isError && valueMatches(want.args ?? {}, call.args),
      ),
  );
}

/** Lower case, runs of whitespace as one space, typographic quotes and dashes as plain ones. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2010-\u2015]/g, "-")
    .replace(/\s+/g, " ")
    .trim();
}
