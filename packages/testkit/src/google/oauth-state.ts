import { createHash, randomBytes } from "node:crypto";

/** A Google account the fake signs in as on its consent screen. */
export interface FakeGoogleUser {
  readonly sub: string;
  readonly email: string;
  readonly name: string;
}

/** An OAuth client as registered in Google Cloud's console. */
export interface FakeGoogleClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * Exact redirect URIs, as a Web client registers them. Empty: any loopback URI on any port
   * (`http://127.0.0.1:*` / `http://localhost:*`), as Google allows for desktop clients; tests
   * whose callback port is picked at start use that.
   */
  readonly redirectUris: readonly string[];
}

export interface AuthorizationCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly user: FakeGoogleUser;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: "S256" | "plain";
  readonly offline: boolean;
  readonly expiresAt: number;
  used: boolean;
}

export interface Grant {
  readonly clientId: string;
  readonly user: FakeGoogleUser;
  readonly scope: string;
  revoked: boolean;
}

export interface AccessToken {
  readonly grant: Grant;
  expiresAt: number;
}

/** Google's codes and tokens are opaque strings with a recognisable prefix; so are these. */
export function opaque(prefix: string): string {
  return `${prefix}${randomBytes(24).toString("base64url")}`;
}

/** RFC 7636 4.6: does the verifier match the challenge made from it? */
export function verifierMatches(
  verifier: string,
  challenge: string,
  method: "S256" | "plain",
): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const made =
    method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  return made === challenge;
}

export function redirectAllowed(client: FakeGoogleClient, uri: string): boolean {
  if (client.redirectUris.length > 0) return client.redirectUris.includes(uri);
  try {
    const url = new URL(uri);
    return (
      url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "localhost")
    );
  } catch {
    return false;
  }
}
