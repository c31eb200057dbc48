import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isDataCenterToken, recognizeJiraToken } from "./recognize-jira-token.ts";

// Shapes of real tokens, made up: Cloud `ATATT3xFfGF0…=<8 hex>` (~192 characters), Data Center
// base64 of `<12-digit id>:<20 random bytes>` (44 characters).
const CLOUD_TOKEN = `ATATT3xFfGF0${"Zq9_w-Lm3PxR7tYb".repeat(11)}=1A2B3C4D`;
const DC_TOKEN = Buffer.concat([
  Buffer.from("483920175562:"),
  Buffer.from("9f1c2ab37e44d0c1a5b6e7f8091a2b3c4d5e6f70", "hex"),
]).toString("base64");

const none = { stored: {} };
const noDefault = { defaultBaseUrl: () => undefined };

describe("recognizeJiraToken", () => {
  it("finds a Data Center token with the server URL of the same message", () => {
    expect(DC_TOKEN).toHaveLength(44);
    const found = recognizeJiraToken(
      `here is my jira token ${DC_TOKEN} for https://jira.example.com/browse/OPS-12.`,
      none,
      noDefault,
    );
    expect(found).toEqual({
      matched: [DC_TOKEN],
      values: { serverUrl: "https://jira.example.com", token: DC_TOKEN },
    });
  });

  it("keeps a Data Center context path and takes the stored or default server otherwise", () => {
    expect(
      recognizeJiraToken(`${DC_TOKEN} https://corp.example/jira/rest/api/2`, none, noDefault)
        ?.values?.serverUrl,
    ).toBe("https://corp.example/jira");
    expect(
      recognizeJiraToken(DC_TOKEN, { stored: { serverUrl: "https://stored.example" } }, noDefault)
        ?.values?.serverUrl,
    ).toBe("https://stored.example");
    expect(
      recognizeJiraToken(DC_TOKEN, none, { defaultBaseUrl: () => "https://default.example/" })
        ?.values?.serverUrl,
    ).toBe("https://default.example");
  });

  it("redacts a token it cannot use and says what is missing", () => {
    const found = recognizeJiraToken(`token: ${DC_TOKEN}`, none, noDefault);
    expect(found?.matched).toEqual([DC_TOKEN]);
    expect(found?.values).toBeUndefined();
    expect(found?.missing).toMatch(/which Jira/);
    expect(found?.missing).not.toContain(DC_TOKEN);
  });

  it("finds a Cloud token with the email and site it needs", () => {
    const found = recognizeJiraToken(
      `Jira: https://acme.atlassian.net, me: dana@example.com, token "${CLOUD_TOKEN}"`,
      none,
      noDefault,
    );
    expect(found).toEqual({
      matched: [CLOUD_TOKEN],
      values: {
        serverUrl: "https://acme.atlassian.net",
        email: "dana@example.com",
        token: CLOUD_TOKEN,
      },
    });
  });

  it("uses the stored email for a Cloud token, and asks for one when there is none", () => {
    const stored = { stored: { serverUrl: "https://acme.atlassian.net", email: "d@example.com" } };
    expect(recognizeJiraToken(CLOUD_TOKEN, stored, noDefault)?.values?.email).toBe("d@example.com");
    const found = recognizeJiraToken(`${CLOUD_TOKEN} https://acme.atlassian.net`, none, noDefault);
    expect(found).toMatchObject({
      matched: [CLOUD_TOKEN],
      missing: expect.stringMatching(/email/),
    });
  });

  it("redacts every token in a message, each once", () => {
    const found = recognizeJiraToken(
      `${DC_TOKEN} again ${DC_TOKEN} and ${CLOUD_TOKEN}`,
      none,
      noDefault,
    );
    expect(found?.matched).toEqual([CLOUD_TOKEN, DC_TOKEN]);
  });

  it("depends on the text alone for what it redacts", () => {
    const text = `my token ${DC_TOKEN}`;
    const a = recognizeJiraToken(text, none, noDefault);
    const b = recognizeJiraToken(
      text,
      { stored: { serverUrl: "https://x.example" } },
      { defaultBaseUrl: () => "https://y.example" },
    );
    expect(a?.matched).toEqual(b?.matched);
  });

  it("leaves ordinary base64, hashes, ids and URLs alone", () => {
    const sha256 = createHash("sha256").update("x").digest("base64");
    const sha256url = createHash("sha256").update("x").digest("base64url");
    const sample = [
      "Please look at https://jira.example.com/browse/OPS-12 and https://example.com/a?b=c",
      `sha256 ${sha256}, url-safe ${sha256url}`,
      `hex ${createHash("sha256").update("y").digest("hex")} sha1 ${createHash("sha1").update("z").digest("hex")}`,
      `base64 of text ${Buffer.from("The quick brown fox jumps over th").toString("base64")}`,
      `unpadded ${Buffer.from("abcdefghijklmnopqrstuvwxyz0123456").toString("base64")}`,
      "uuid 123e4567-e89b-12d3-a456-426614174000, commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "ATATT3 is how Atlassian tokens start; ATATT3xFfGF0short=12345678 is too short",
      `a token inside a longer run ${DC_TOKEN}AAAA, or ${DC_TOKEN.slice(0, 43)}`,
    ].join("\n");
    expect(recognizeJiraToken(sample, none, noDefault)).toBeUndefined();
  });

  it("tells a Data Center token by its decoded shape", () => {
    expect(isDataCenterToken(DC_TOKEN)).toBe(true);
    const notDigits = Buffer.concat([Buffer.from("48392017556x:"), Buffer.alloc(20, 7)]);
    expect(isDataCenterToken(notDigits.toString("base64"))).toBe(false);
    const shortId = Buffer.concat([Buffer.from("12345:"), Buffer.alloc(27, 7)]);
    expect(isDataCenterToken(shortId.toString("base64"))).toBe(false);
  });
});
