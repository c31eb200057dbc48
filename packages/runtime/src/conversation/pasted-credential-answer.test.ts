import type { ApiTokenCredential, PluginLogger } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { MemoryCredentialVault } from "../testing/memory-credential-vault.ts";
import { type PastedAnswerEnv, pastedCredentialAnswer } from "./pasted-credential-answer.ts";
import type { PastedCredential } from "./redact-pasted.ts";

const SECRET = "tkn_0123456789abcdefXYZ";

function recordingLogger(): PluginLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (fields: unknown, message?: string) => {
    lines.push(`${JSON.stringify(fields)} ${message ?? ""}`);
  };
  return { lines, debug: log, info: log, warn: log, error: log };
}

const credential: ApiTokenCredential = {
  kind: "api-token",
  title: "Tracker",
  fields: {
    server: { label: "Server", secret: false },
    team: { label: "Team", secret: false, required: false },
    token: { label: "Token", secret: true },
  },
  async validate(values) {
    if (values.token === "wrong-token-value-123") {
      return { ok: false, message: "Tracker did not accept this token." };
    }
    if (values.token === "hang-token-value-1234") return new Promise(() => {});
    if (values.token === "throw-token-value-123") throw new Error(`bad ${values.token}`);
    return { ok: true, metadata: { account: "Alice" } };
  },
};

function pasted(token: string, values = true): PastedCredential {
  return {
    toolkit: "tracker",
    credential,
    recognized: values
      ? { matched: [token], values: { server: "https://tracker.example", token } }
      : { matched: [token], missing: "I do not know your server." },
  };
}

function env(overrides: Partial<PastedAnswerEnv> = {}) {
  const vault = new MemoryCredentialVault();
  const logger = recordingLogger();
  const full: PastedAnswerEnv = {
    userId: "alice",
    vault,
    links: {
      linkFor: async (user, toolkit) => `https://agents.example/connect/${toolkit}?u=${user}`,
    },
    validateTimeoutMs: 5_000,
    signal: new AbortController().signal,
    logger,
    ...overrides,
  };
  return { env: full, vault, logger };
}

describe("pastedCredentialAnswer", () => {
  it("checks and stores the credential, and links the connect page for next time", async () => {
    const { env: e, vault, logger } = env();
    const answer = await pastedCredentialAnswer([pasted(SECRET)], e);
    expect(answer).toContain("I stored it encrypted for you");
    expect(answer).toContain("[Connect Tracker](https://agents.example/connect/tracker?u=alice)");
    expect(answer).toContain("still keeps its own copy");
    expect(vault.puts).toEqual([
      {
        userId: "alice",
        toolkit: "tracker",
        credential: {
          kind: "api-token",
          secrets: { token: SECRET },
          metadata: { account: "Alice", server: "https://tracker.example" },
        },
      },
    ]);
    expect(`${answer}${logger.lines.join("\n")}`).not.toContain(SECRET);
  });

  it("keeps nothing for an anonymous request", async () => {
    const { env: e, vault } = env({ userId: undefined });
    const answer = await pastedCredentialAnswer([pasted(SECRET)], e);
    expect(answer).toMatch(/did not keep it: this request came without a signed-in user/);
    expect(vault.puts).toEqual([]);
  });

  it("says what the token lacks, or what the service said, and stores nothing", async () => {
    const { env: e, vault } = env();
    expect(await pastedCredentialAnswer([pasted(SECRET, false)], e)).toContain(
      "I could not store it: I do not know your server.",
    );
    expect(await pastedCredentialAnswer([pasted("wrong-token-value-123")], e)).toContain(
      "I did not store it: Tracker did not accept this token.",
    );
    expect(vault.puts).toEqual([]);
  });

  it("gives up on a check at its time limit, and names a failing check without quoting it", async () => {
    const { env: e, vault, logger } = env({ validateTimeoutMs: 20 });
    expect(await pastedCredentialAnswer([pasted("hang-token-value-1234")], e)).toContain(
      "Tracker did not answer within 1 s",
    );
    const failed = await pastedCredentialAnswer([pasted("throw-token-value-123")], e);
    expect(failed).toContain("it could not be checked with Tracker just now");
    expect(`${failed}${logger.lines.join("\n")}`).not.toContain("throw-token-value-123");
    expect(vault.puts).toEqual([]);
  });

  it("says when the vault cannot store it, and when connect pages are off", async () => {
    const { env: e, vault } = env({ links: undefined });
    vault.failNextPut = true;
    const answer = await pastedCredentialAnswer([pasted(SECRET)], e);
    expect(answer).toContain("could not store it just now");
    expect(answer).toContain("your operator can enable connect pages");
  });
});
