import type { ServerMetadata } from "openid-client";

/**
 * Google's OAuth 2.0 / OpenID endpoints, fixed rather than discovered: no network call at start,
 * and nothing a DNS or discovery-document change could redirect. `baseUrl` (GOOGLE_OAUTH_BASE_URL)
 * puts every endpoint on one server under Google's own paths, which is how tests and `just demo`
 * use the testkit's fake Google.
 */
export function googleServerMetadata(baseUrl?: string): ServerMetadata {
  if (baseUrl) {
    const base = baseUrl.replace(/\/+$/, "");
    return {
      issuer: base,
      authorization_endpoint: `${base}/o/oauth2/v2/auth`,
      token_endpoint: `${base}/token`,
      revocation_endpoint: `${base}/revoke`,
      userinfo_endpoint: `${base}/v1/userinfo`,
      jwks_uri: `${base}/oauth2/v3/certs`,
      code_challenge_methods_supported: ["S256"],
    };
  }
  return {
    issuer: "https://accounts.google.com",
    authorization_endpoint: "https://accounts.google.com/o/oauth2/v2/auth",
    token_endpoint: "https://oauth2.googleapis.com/token",
    revocation_endpoint: "https://oauth2.googleapis.com/revoke",
    userinfo_endpoint: "https://openidconnect.googleapis.com/v1/userinfo",
    jwks_uri: "https://www.googleapis.com/oauth2/v3/certs",
    code_challenge_methods_supported: ["S256"],
  };
}
