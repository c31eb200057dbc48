import { CredentialRequiredError } from "@agentllm/sdk";
import type { FakeGoogle } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GoogleOAuth } from "../oauth/google-oauth.ts";
import { googleOAuthOnFake } from "../testing/google-oauth-on-fake.ts";
import { MemoryCredentialVault } from "../testing/memory-credential-vault.ts";
import type { StoredCredential } from "./credential-vault.ts";
import { freshOAuthAccess, OAUTH_FIELDS, REFRESH_MARGIN_MS } from "./oauth-access.ts";

// A tool's Google access token: used while fresh, renewed near expiry or after a 401, and a
// grant Google dropped sends the user back to connect. Real openid-client, fake Google.

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("freshOAuthAccess", () => {
  let google: FakeGoogle;
  let oauth: GoogleOAuth;
  let signIn: Awaited<ReturnType<typeof googleOAuthOnFake>>["signIn"];

  beforeAll(async () => {
    ({ google, oauth, signIn } = await googleOAuthOnFake());
  });
  afterAll(async () => {
    await google.close();
  });

  /** Alice connected Drive: a real grant from the fake, stored as the callback stores it. */
  async function connected(expiresAt?: number) {
    const grant = await signIn();
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

  function access(
    stored: StoredCredential,
    vault: MemoryCredentialVault,
    // `client: null`: no Google client configured.
    { force = false, client, seen = [] }: { force?: boolean; client?: null; seen?: string[] } = {},
  ) {
    return freshOAuthAccess({
      stored,
      google: client === null ? undefined : oauth,
      vault,
      force,
      logger: quiet,
      onSecret: (value) => seen.push(value),
    });
  }

  it("hands out the stored token while it has more than a minute left", async () => {
    const { vault, stored, grant } = await connected();
    const seen: string[] = [];
    const { values } = await access(stored, vault, { seen });
    expect(values).toEqual({ accessToken: grant.accessToken, email: "ada@example.test" });
    expect(seen).toEqual([]);
  });

  it("renews a token within a minute of expiry, stores the new one, and reports it for scrubbing", async () => {
    const { vault, stored, grant } = await connected(Date.now() + REFRESH_MARGIN_MS - 1_000);
    const seen: string[] = [];
    const { values } = await access(stored, vault, { seen });
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
    const { values } = await access(stored, vault, { force: true });
    expect(values.accessToken).not.toBe(grant.accessToken);
    expect(google.userFor(values.accessToken)).toBeDefined();
  });

  it("forgets a grant Google no longer accepts and asks the user to connect again", async () => {
    const { vault, stored } = await connected();
    google.revokeGrants("ada@example.test");
    await expect(access(stored, vault, { force: true })).rejects.toThrow(CredentialRequiredError);
    expect(await vault.get("alice", "drive")).toBeUndefined();
  });

  it("asks to connect again when no Google client is configured to renew with", async () => {
    const { vault, stored } = await connected();
    await expect(access(stored, vault, { force: true, client: null })).rejects.toThrow(
      CredentialRequiredError,
    );
  });
});
