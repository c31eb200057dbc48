import { createHash, createPublicKey, createVerify, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeGoogle, startFakeGoogle } from "./server.ts";

// The OAuth 2.0 authorization-code flow with PKCE, as a web server app runs it against Google
// (authorization endpoint, token endpoint, refresh, revoke, userinfo, ID token with JWKS),
// driven by plain HTTP so each protocol step is visible.

const CLIENT = { id: "fake-google-client-id", secret: "fake-google-client-secret" };
const REDIRECT = "http://127.0.0.1:9502/oauth/callback/google";
const SCOPE = "openid email https://www.googleapis.com/auth/drive.readonly";

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

describe("fake Google OAuth", () => {
  let google: FakeGoogle;
  beforeEach(async () => {
    google = await startFakeGoogle();
  });
  afterEach(async () => {
    await google.close();
  });

  async function authorize(params: Record<string, string>): Promise<Response> {
    const url = new URL(google.endpoints.authorization);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return fetch(url, { redirect: "manual" });
  }

  async function consent(challenge: string, extra: Record<string, string> = {}) {
    const response = await authorize({
      client_id: CLIENT.id,
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: SCOPE,
      state: "state-123",
      code_challenge: challenge,
      code_challenge_method: "S256",
      access_type: "offline",
      prompt: "consent",
      ...extra,
    });
    expect(response.status).toBe(302);
    return new URL(response.headers.get("location") ?? "");
  }

  function token(form: Record<string, string>) {
    return fetch(google.endpoints.token, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
  }

  async function exchange(code: string, verifier: string) {
    return token({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT,
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      code_verifier: verifier,
    });
  }

  it("serves OpenID discovery with every endpoint on the fake", async () => {
    const doc = (await (await fetch(google.endpoints.discovery)).json()) as Record<string, unknown>;
    expect(doc.authorization_endpoint).toBe(google.endpoints.authorization);
    expect(doc.token_endpoint).toBe(google.endpoints.token);
    expect(doc.code_challenge_methods_supported).toContain("S256");
  });

  it("runs code + PKCE → tokens → userinfo, with a verifiable ID token", async () => {
    const { verifier, challenge } = pkce();
    const back = await consent(challenge);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get("state")).toBe("state-123");
    const code = back.searchParams.get("code") ?? "";
    expect(code).toMatch(/^4\/0/);

    const response = await exchange(code, verifier);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as Record<string, string | number>;
    expect(tokens).toMatchObject({ token_type: "Bearer", expires_in: 3599, scope: SCOPE });
    expect(tokens.refresh_token).toMatch(/^1\/\//);

    const [header, payload, signature] = String(tokens.id_token).split(".");
    const jwks = (await (await fetch(google.endpoints.jwks)).json()) as {
      keys: Record<string, unknown>[];
    };
    const key = createPublicKey({ key: jwks.keys[0] as never, format: "jwk" });
    const valid = createVerify("RSA-SHA256")
      .update(`${header}.${payload}`)
      .verify(key, signature ?? "", "base64url");
    expect(valid).toBe(true);
    expect(JSON.parse(Buffer.from(payload ?? "", "base64url").toString())).toMatchObject({
      iss: google.url,
      aud: CLIENT.id,
      email: "ada@example.test",
    });

    const me = await fetch(google.endpoints.userinfo, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await me.json()).toMatchObject({ email: "ada@example.test", name: "Ada Lovelace" });
  });

  it("refuses a reused code, a wrong or missing verifier, and a redirect_uri that differs", async () => {
    const first = pkce();
    const code = (await consent(first.challenge)).searchParams.get("code") ?? "";
    expect((await exchange(code, first.verifier)).status).toBe(200);
    const reused = await exchange(code, first.verifier);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toEqual({
      error: "invalid_grant",
      error_description: "Bad Request",
    });

    const second = pkce();
    const code2 = (await consent(second.challenge)).searchParams.get("code") ?? "";
    expect(await (await exchange(code2, pkce().verifier)).json()).toEqual({
      error: "invalid_grant",
      error_description: "Invalid code verifier.",
    });

    const third = pkce();
    const code3 = (await consent(third.challenge)).searchParams.get("code") ?? "";
    const moved = await token({
      grant_type: "authorization_code",
      code: code3,
      redirect_uri: "http://127.0.0.1:1/elsewhere",
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      code_verifier: third.verifier,
    });
    expect(((await moved.json()) as { error: string }).error).toBe("redirect_uri_mismatch");
  });

  it("sends a denied consent back as access_denied with the state", async () => {
    google.setConsent({ allow: false });
    const back = await consent(pkce().challenge);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe("state-123");
    expect(back.searchParams.has("code")).toBe(false);
  });

  it("never redirects to an unregistered URI or for an unknown client", async () => {
    const registered = await startFakeGoogle({
      clients: [
        {
          clientId: "web",
          clientSecret: "s",
          redirectUris: ["https://agents.example.test/oauth/callback/google"],
        },
      ],
    });
    try {
      const url = new URL(registered.endpoints.authorization);
      url.search = new URLSearchParams({
        client_id: "web",
        redirect_uri: "https://evil.example.test/steal",
        response_type: "code",
        scope: SCOPE,
      }).toString();
      const response = await fetch(url, { redirect: "manual" });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain("redirect_uri_mismatch");
    } finally {
      await registered.close();
    }
    const unknown = await authorize({
      client_id: "nobody",
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: SCOPE,
    });
    expect(unknown.status).toBe(401);
  });

  it("authenticates the client by form or HTTP Basic, and refuses a wrong secret", async () => {
    const { verifier, challenge } = pkce();
    const code = (await consent(challenge)).searchParams.get("code") ?? "";
    const basic = await fetch(google.endpoints.token, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64")}`,
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      }),
    });
    expect(basic.status).toBe(200);
    const wrong = await token({
      grant_type: "refresh_token",
      refresh_token: "x",
      client_id: CLIENT.id,
      client_secret: "nope",
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_client");
  });

  it("expires access tokens, refreshes them, and ends a revoked grant", async () => {
    const { verifier, challenge } = pkce();
    const code = (await consent(challenge)).searchParams.get("code") ?? "";
    const tokens = (await (await exchange(code, verifier)).json()) as Record<string, string>;
    const refresh = () =>
      token({
        grant_type: "refresh_token",
        refresh_token: tokens.refresh_token ?? "",
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
      });

    google.expireAccessTokens();
    const expired = await fetch(google.endpoints.userinfo, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain("invalid_token");

    const refreshed = (await (await refresh()).json()) as Record<string, string>;
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBeUndefined();
    expect(google.userFor(refreshed.access_token)?.email).toBe("ada@example.test");

    google.revokeGrants("ada@example.test");
    expect(google.userFor(refreshed.access_token)).toBeUndefined();
    expect(await (await refresh()).json()).toEqual({
      error: "invalid_grant",
      error_description: "Token has been expired or revoked.",
    });
  });

  it("revokes through the revocation endpoint", async () => {
    const { verifier, challenge } = pkce();
    const code = (await consent(challenge)).searchParams.get("code") ?? "";
    const tokens = (await (await exchange(code, verifier)).json()) as Record<string, string>;
    const revoke = () =>
      fetch(google.endpoints.revocation, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: tokens.refresh_token ?? "" }),
      });
    expect((await revoke()).status).toBe(200);
    expect(google.userFor(tokens.access_token)).toBeUndefined();
    expect((await revoke()).status).toBe(400);
  });
});
