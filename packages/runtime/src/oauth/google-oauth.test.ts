import type { FakeGoogle } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIVE_SCOPE as DRIVE, googleOAuthOnFake } from "../testing/google-oauth-on-fake.ts";
import {
  CallbackRejectedError,
  ConsentDeniedError,
  type GoogleOAuth,
  GrantRevokedError,
} from "./google-oauth.ts";

// The whole authorization-code + PKCE flow through openid-client against the testkit's fake
// Google; the browser's part (following Google's redirect back) is one manual fetch.

describe("GoogleOAuth", () => {
  let google: FakeGoogle;
  let oauth: GoogleOAuth;
  let consentScreen: (url: URL) => Promise<URL>;

  beforeAll(async () => {
    ({ google, oauth, consent: consentScreen } = await googleOAuthOnFake());
  });
  afterAll(async () => {
    await google.close();
  });

  it("asks for offline access with PKCE S256 and state, and finishes with a refresh token and the account", async () => {
    google.setConsent({ allow: true });
    const { url, pending } = await oauth.begin([DRIVE]);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("access_type")).toBe("offline");
    expect(url.searchParams.get("prompt")).toBe("consent");
    expect(url.searchParams.get("state")).toBe(pending.state);
    expect(url.searchParams.get("scope")).toBe(`openid email ${DRIVE}`);
    expect(url.toString()).not.toContain(pending.codeVerifier);

    const grant = await oauth.finish(await consentScreen(url), pending);
    expect(grant.refreshToken).toMatch(/^1\/\//);
    expect(grant.email).toBe("ada@example.test");
    expect(grant.scopes).toContain(DRIVE);
    expect(grant.expiresAt).toBeGreaterThan(Date.now() + 3_000_000);
    expect(google.userFor(grant.accessToken)?.email).toBe("ada@example.test");
  });

  it("refuses a callback whose state is not the one it sent (a forged or crossed callback)", async () => {
    const first = await oauth.begin([DRIVE]);
    const second = await oauth.begin([DRIVE]);
    const back = await consentScreen(first.url);
    await expect(oauth.finish(back, second.pending)).rejects.toThrow(CallbackRejectedError);
  });

  it("refuses a replayed callback (the code is single-use)", async () => {
    const { url, pending } = await oauth.begin([DRIVE]);
    const back = await consentScreen(url);
    await oauth.finish(back, pending);
    await expect(oauth.finish(back, pending)).rejects.toThrow(CallbackRejectedError);
  });

  it("reports a denied consent as such", async () => {
    google.setConsent({ allow: false });
    try {
      const { url, pending } = await oauth.begin([DRIVE]);
      await expect(oauth.finish(await consentScreen(url), pending)).rejects.toThrow(
        ConsentDeniedError,
      );
    } finally {
      google.setConsent({ allow: true });
    }
  });

  it("refreshes an expired access token, and says when the grant was revoked", async () => {
    const { url, pending } = await oauth.begin([DRIVE]);
    const grant = await oauth.finish(await consentScreen(url), pending);
    google.expireAccessTokens();
    expect(google.userFor(grant.accessToken)).toBeUndefined();
    const fresh = await oauth.refresh(grant.refreshToken);
    expect(google.userFor(fresh.accessToken)?.email).toBe("ada@example.test");

    await oauth.revoke(grant.refreshToken);
    await expect(oauth.refresh(grant.refreshToken)).rejects.toThrow(GrantRevokedError);
    await oauth.revoke(grant.refreshToken); // already gone: fine
  });
});
