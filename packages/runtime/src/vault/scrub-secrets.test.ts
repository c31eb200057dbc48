import { describe, expect, it } from "vitest";
import { MIN_SCRUBBED_SECRET_LENGTH, REDACTED, scrubJson, secretForms } from "./scrub-secrets.ts";

const TOKEN = "pl@nted/token+0123456789";

describe("scrubJson", () => {
  it("replaces a planted secret in every string, keys and nested values, and its URL form", () => {
    const forms = secretForms([TOKEN]);
    const result = scrubJson(
      {
        error: `request with Bearer ${TOKEN} failed`,
        nested: [{ url: `https://x.example/?t=${encodeURIComponent(TOKEN)}` }],
        [TOKEN]: 1,
        count: 3,
      },
      forms,
    );
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(encodeURIComponent(TOKEN));
    expect(result).toEqual({
      error: `request with Bearer ${REDACTED} failed`,
      nested: [{ url: `https://x.example/?t=${REDACTED}` }],
      [REDACTED]: 1,
      count: 3,
    });
  });

  it("leaves a result without secrets as it was", () => {
    const value = { text: "nothing here" };
    expect(scrubJson(value, [])).toBe(value);
    expect(scrubJson(value, secretForms([TOKEN]))).toEqual(value);
  });

  it("scrubs secrets from the minimum length up, and not shorter ones", () => {
    const atLimit = "x".repeat(MIN_SCRUBBED_SECRET_LENGTH);
    const below = "y".repeat(MIN_SCRUBBED_SECRET_LENGTH - 1);
    expect(secretForms([atLimit, below])).toEqual([atLimit]);
    expect(scrubJson({ a: `${atLimit}!`, b: below }, secretForms([atLimit, below]))).toEqual({
      a: `${REDACTED}!`,
      b: below,
    });
  });

  it("replaces a longer secret whole when it contains a shorter one", () => {
    const short = "abcdefgh";
    const long = `${short}-and-more`;
    expect(scrubJson({ a: long }, secretForms([short, long]))).toEqual({ a: REDACTED });
  });
});
