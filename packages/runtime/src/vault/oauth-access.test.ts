import { CredentialRequiredError } from "@agentllm/sdk";
import { type FakeGoogle, startFakeGoogle } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GoogleOAuth } from "../oauth/google-oauth.ts";
import { MemoryCredentialVault } from "../testing/memory-credential-vault.ts";
import { freshOAuthAccess, OAUTH_FIELDS, REFRESH_MARGIN_MS } from "./oauth-access.ts";

// A tool's Google access token: used while fresh, renewed near expiry or after a 401, and a
// grant Google dropped sends the user back to connect. Real openid-client, fake Google.

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("freshOAuthAccess", () => {
  let google: FakeGoogle;
  let oauth: GoogleOAuth;

  beforeAll(async () => {
    google = await startFakeGoogle();
    oauth = new GoogleOAuth({
      clientId: "fake-google-client-id",
      clientSecret: "fake-google-client-secret",
      redirectUri: "http://127.0.0.1:9502/oauth/callback/google",
      baseUrl: google.url,
    });
  });
  afterAll(async () => {
    await google.close();
  });

  /** Alice connected Drive: a real grant from the fake, stored as the callback stores it. */
  async function connected(expiresAt?: number) {
    const { url, pending } = await oauth.begin(["https://www.googleapis.com/auth/drive.readonly"]);
    const back = await fetch(url, { redirect: "manual" });
    const grant = await oauth.finish(new URL(back.headers.get("location") ?? ""), pending);
    const vault = new MemoryCredentialVault();
    await vault.put("alice", "drive", {
      kind: "oauth2",
      secrets: {
        [OAUTH_FIELDS.refreshToken]: grant.refreshToken,
        [OAUTH_FIELDS.accessToken]: grant.accessToken,
      },
      metadata: {
        [OAUTH_FIELDS.expiresAt]: String(expiresAt ?? grant.expiresAt),
        [OAUTH_FIELDS.email]: grant.email ?? "",
      },
    });
    const stored = await vault.get("alice", "drive");
    if (!stored) throw new Error("not stored");
    return { vault, stored, grant };
  }

  it("hands out the stored token while it has more than a minute left", async () => {
    const { vault, stored, grant } = await connected();
    const seen: string[] = [];
    const { values } = await freshOAuthAccess({
      stored,
      google: oauth,
      vault,
      force: false,
      logger: quiet,
      onSecret: (v) => seen.push(v),
    });
    expect(values).toEqual({ accessToken: grant.accessToken, email: "ada@example.test" });
    expect(seen).toEqual([]);
  });

  it("renews a token within a minute of expiry, stores the new one, and reports it for scrubbing", async () => {
    const { vault, stored, grant } = await connected(Date.now() + REFRESH_MARGIN_MS - 1_000);
    const seen: string[] = [];
    const { values } = await freshOAuthAccess({
      stored,
      google: oauth,
      vault,
      force: false,
      logger: quiet,
      onSecret: (v) => seen.push(v),
    });
    expect(values.accessToken).not.toBe(grant.accessToken);
    expect(google.userFor(values.accessToken)?.email).toBe("ada@example.test");
    expect(seen).toEqual([values.accessToken]);
    const saved = await vault.get("alice", "drive");
    expect(saved?.secrets[OAUTH_FIELDS.accessToken]).toBe(values.accessToken);
    expect(saved?.secrets[OAUTH_FIELDS.refreshToken]).toBe(grant.refreshToken);
    expect(Number(saved?.metadata[OAUTH_FIELDS.expiresAt])).toBeGreaterThan(Date.now() + 3_000_000);
  });

  it("renews on demand after a 401, even before expiry", async () => {
    const { vault, stored, grant } = await connected();
    google.expireAccessTokens();
    const { values } = await freshOAuthAccess({
      stored,
      google: oauth,
      vault,
      force: true,
      logger: quiet,
      onSecret: () => {},
    });
    expect(values.accessToken).not.toBe(grant.accessToken);
    expect(google.userFor(values.accessToken)).toBeDefined();
  });

  it("forgets a grant Google no longer accepts and asks the user to connect again", async () => {
    const { vault, stored } = await connected();
    google.revokeGrants("ada@example.test");
    await expect(
      freshOAuthAccess({
        stored,
        google: oauth,
        vault,
        force: true,
        logger: quiet,
        onSecret: () => {},
      }),
    ).rejects.toThrow(CredentialRequiredError);
    expect(await vault.get("alice", "drive")).toBeUndefined();
  });

  it("asks to connect again when no Google client is configured to renew with", async () => {
    const { vault, stored } = await connected();
    await expect(
      freshOAuthAccess({
        stored,
        google: undefined,
        vault,
        force: true,
        logger: quiet,
        onSecret: () => {},
      }),
    ).rejects.toThrow(CredentialRequiredError);
  });
});
