import type { ApiTokenCredential } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { MAX_FIELD_CHARS, readCredentialForm, toNewCredential } from "./credential-form.ts";

const JIRA: ApiTokenCredential = {
  kind: "api-token",
  title: "Jira",
  fields: {
    url: { label: "Server URL", secret: false, type: "url" },
    token: { label: "API token", secret: true },
    team: { label: "Team", secret: false, required: false },
  },
};

describe("readCredentialForm", () => {
  it("reads and trims the declared fields, ignoring others", () => {
    const reading = readCredentialForm(JIRA, {
      "field.url": " https://jira.example.com ",
      "field.token": "tok\n",
      "field.extra": "ignored",
      ticket: "t",
    });
    expect(reading).toEqual({
      values: { url: "https://jira.example.com", token: "tok", team: "" },
      errors: {},
    });
  });

  it("names each missing required field, not the optional one", () => {
    expect(readCredentialForm(JIRA, {}).errors).toEqual({
      url: "Enter Server URL.",
      token: "Enter API token.",
    });
  });

  it.each(["ftp://jira.example.com", "jira.example.com", "javascript:alert(1)"])(
    "refuses the url %s",
    (url) => {
      const { errors } = readCredentialForm(JIRA, { "field.url": url, "field.token": "t" });
      expect(errors).toEqual({
        url: "Server URL must be an http(s) URL, such as https://example.com.",
      });
    },
  );

  it("takes a value of exactly the limit and refuses one character more, without keeping it", () => {
    const at = readCredentialForm(JIRA, {
      "field.url": "https://j.example.com",
      "field.token": "x".repeat(MAX_FIELD_CHARS),
    });
    expect(at.errors).toEqual({});
    const over = readCredentialForm(JIRA, {
      "field.url": "https://j.example.com",
      "field.token": "x".repeat(MAX_FIELD_CHARS + 1),
    });
    expect(over.errors).toEqual({
      token: `API token is longer than ${MAX_FIELD_CHARS} characters.`,
    });
    expect(over.values.token).toBe("");
  });

  it("refuses a field sent twice and control characters inside a value", () => {
    const { errors } = readCredentialForm(JIRA, {
      "field.url": ["https://a.example.com", "https://b.example.com"],
      "field.token": "to\u0000k",
    });
    expect(errors).toEqual({
      url: "Server URL was sent more than once; send it once.",
      token: "API token contains control characters; paste it again.",
    });
  });

  it("does not read fields from the prototype", () => {
    const body = Object.create({ "field.token": "inherited" }) as Record<string, unknown>;
    expect(readCredentialForm(JIRA, body).values.token).toBe("");
  });
});

describe("toNewCredential", () => {
  it("puts secret fields in secrets, the rest and validate's metadata in metadata", () => {
    expect(
      toNewCredential(
        JIRA,
        { url: "https://jira.example.com", token: "tok", team: "" },
        { account: "alice", url: "https://spoofed.example.com" },
      ),
    ).toEqual({
      kind: "api-token",
      secrets: { token: "tok" },
      metadata: { account: "alice", url: "https://jira.example.com" },
    });
  });
});
