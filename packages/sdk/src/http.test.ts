import { describe, expect, it } from "vitest";
import { networkCause, readBoundedBody, retryAfterSeconds } from "./http.ts";

/** A response whose body arrives in the given chunks, with no Content-Length. */
function chunked(...parts: string[]): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
      controller.close();
    },
  });
  return new Response(stream);
}

describe("readBoundedBody", () => {
  it("reads a body of exactly the limit whole", async () => {
    expect(await readBoundedBody(chunked("abc", "de"), 5)).toEqual({
      text: "abcde",
      truncated: false,
      tooLarge: false,
    });
  });

  it("gives up one byte past the limit, or at once on a larger Content-Length", async () => {
    expect(await readBoundedBody(chunked("abc", "def"), 5)).toEqual({
      text: "",
      truncated: false,
      tooLarge: true,
    });
    const declared = new Response("x", { headers: { "content-length": "6" } });
    expect((await readBoundedBody(declared, 5)).tooLarge).toBe(true);
  });

  it("cuts at the limit when asked, never leaving half a character", async () => {
    expect(await readBoundedBody(chunked("abc", "def"), 5, { truncate: true })).toEqual({
      text: "abcde",
      truncated: true,
      tooLarge: false,
    });
    // "é" is two bytes: a cut after its first leaves nothing of it.
    expect((await readBoundedBody(chunked("abcé"), 4, { truncate: true })).text).toBe("abc");
  });
});

describe("retryAfterSeconds", () => {
  const withHeader = (value?: string) =>
    new Response("", value === undefined ? {} : { headers: { "retry-after": value } });

  it("reads seconds and HTTP dates, and nothing else", () => {
    expect(retryAfterSeconds(withHeader("7"))).toBe(7);
    expect(retryAfterSeconds(withHeader("1.2"))).toBe(2);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterSeconds(withHeader(inTenSeconds))).toBeGreaterThanOrEqual(9);
    expect(retryAfterSeconds(withHeader("soon"))).toBeUndefined();
    expect(retryAfterSeconds(withHeader())).toBeUndefined();
  });
});

describe("networkCause", () => {
  it("prefers the system error code, then the cause's message, then the error's", () => {
    expect(networkCause(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }))).toBe(
      "ECONNREFUSED",
    );
    expect(networkCause(new TypeError("fetch failed", { cause: new Error("bad cert") }))).toBe(
      "bad cert",
    );
    expect(networkCause(new Error("plain"))).toBe("plain");
  });
});
