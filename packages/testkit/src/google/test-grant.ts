import { randomBytes } from "node:crypto";
import type { FakeGoogle } from "./server.ts";

/** A grant obtained from the fake Google, as the runtime holds one after the consent page. */
export interface FakeGoogleGrant {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly email: string;
  /** A new access token from the refresh token (the token endpoint's refresh_token grant). */
  refresh(): Promise<string>;
}

const DRIVE_READONLY = "https://www.googleapis.com/auth/drive.readonly";

/**
 * Runs the authorization-code flow against the fake over HTTP (consent is automatic) and
 * returns the tokens: for tests of Google API clients that need a real grant, not the OAuth flow.
 */
export async function grantFromFakeGoogle(
  google: FakeGoogle,
  options: { readonly scope?: string; readonly email?: string } = {},
): Promise<FakeGoogleGrant> {
  const client = google.clients[0];
  if (!client) throw new Error("the fake Google has no client");
  const redirectUri = "http://127.0.0.1:9/callback";
  google.setConsent({ allow: true, ...(options.email ? { email: options.email } : {}) });
  const authorize = new URL(google.endpoints.authorization);
  const params = {
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: "code",
    scope: options.scope ?? `openid email ${DRIVE_READONLY}`,
    access_type: "offline",
    state: randomBytes(8).toString("hex"),
  };
  for (const [key, value] of Object.entries(params)) authorize.searchParams.set(key, value);
  const consent = await fetch(authorize, { redirect: "manual" });
  const code = new URL(consent.headers.get("location") ?? "").searchParams.get("code");
  if (!code) throw new Error(`the fake Google gave no code (${consent.status})`);
  const token = async (form: Record<string, string>) => {
    const response = await fetch(google.endpoints.token, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        ...form,
      }),
    });
    const body = (await response.json()) as { access_token?: string; refresh_token?: string };
    if (!response.ok || !body.access_token) throw new Error(`token endpoint: ${response.status}`);
    return body;
  };
  const first = await token({ grant_type: "authorization_code", code, redirect_uri: redirectUri });
  const refreshToken = first.refresh_token ?? "";
  const email = google.userFor(first.access_token)?.email ?? "";
  return {
    accessToken: first.access_token as string,
    refreshToken,
    email,
    refresh: async () =>
      (await token({ grant_type: "refresh_token", refresh_token: refreshToken }))
        .access_token as string,
  };
}
