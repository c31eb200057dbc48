import { ApiError as GeminiApiError } from "@google/genai";
import { describe, expect, it } from "vitest";
import { fromGeminiError, parseRetryAfterHeader, retryAfterMs } from "./gemini-errors.ts";

/** What the SDK throws for an HTTP error: the Google error JSON as the message. */
function googleError(status: number, details: unknown[] = []): GeminiApiError {
  const body = { error: { code: status, message: "Quota exceeded.", status: "X", details } };
  return new GeminiApiError({ status, message: JSON.stringify(body) });
}

const retryInfo = (delay: string) => ({
  "@type": "type.googleapis.com/google.rpc.RetryInfo",
  retryDelay: delay,
});

describe("retryAfterMs", () => {
  it("reads RetryInfo's retryDelay from the error JSON", () => {
    expect(retryAfterMs(googleError(429, [retryInfo("7s")]))).toBe(7000);
    expect(retryAfterMs(googleError(429, [retryInfo("1.5s")]))).toBe(1500);
    expect(retryAfterMs(googleError(429, [retryInfo("0.001s")]))).toBe(1);
  });

  it("reads it from a stream error event, whose JSON follows a prefix", () => {
    const message = `got status: RESOURCE_EXHAUSTED. ${JSON.stringify({ error: { details: [retryInfo("12s")] } })}`;
    expect(retryAfterMs(new GeminiApiError({ status: 429, message }))).toBe(12_000);
  });

  it("reads it when the JSON is quoted inside another string", () => {
    const inner = JSON.stringify({ details: [retryInfo("3s")] });
    const message = JSON.stringify({ error: { message: inner } });
    expect(retryAfterMs(new Error(message))).toBe(3000);
  });

  it("reads a Retry-After header the error carries", () => {
    const withHeaders = Object.assign(googleError(429), {
      headers: new Headers({ "Retry-After": "9" }),
    });
    expect(retryAfterMs(withHeaders)).toBe(9000);
    const withRecord = Object.assign(googleError(503), { headers: { "retry-after": "2" } });
    expect(retryAfterMs(withRecord)).toBe(2000);
  });

  it("prefers RetryInfo over the header", () => {
    const both = Object.assign(googleError(429, [retryInfo("4s")]), {
      headers: { "Retry-After": "60" },
    });
    expect(retryAfterMs(both)).toBe(4000);
  });

  it("is undefined when the provider named no delay", () => {
    expect(retryAfterMs(googleError(429))).toBeUndefined();
    expect(retryAfterMs(new TypeError("fetch failed"))).toBeUndefined();
    expect(retryAfterMs("429")).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });
});

describe("parseRetryAfterHeader", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads delay seconds", () => {
    expect(parseRetryAfterHeader("120", now)).toBe(120_000);
    expect(parseRetryAfterHeader(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP date, never below zero", () => {
    expect(parseRetryAfterHeader("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfterHeader("Tue, 31 Dec 2024 23:59:00 GMT", now)).toBe(0);
  });

  it("ignores nonsense", () => {
    expect(parseRetryAfterHeader("soon", now)).toBeUndefined();
    expect(parseRetryAfterHeader("-5", now)).toBeUndefined();
  });
});

describe("fromGeminiError", () => {
  it("gives a 429 its retry delay in whole seconds, rounded up", () => {
    expect(fromGeminiError(googleError(429, [retryInfo("1.2s")]))).toMatchObject({
      failure: "rate_limited",
      retryAfterSeconds: 2,
    });
    expect(fromGeminiError(googleError(429)).retryAfterSeconds).toBeUndefined();
  });

  it("passes a 503's retry delay on too", () => {
    expect(fromGeminiError(googleError(503, [retryInfo("5s")]))).toMatchObject({
      failure: "unavailable",
      retryAfterSeconds: 5,
    });
  });
});
