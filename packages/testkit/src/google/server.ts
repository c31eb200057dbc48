import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { IdTokenSigner } from "./id-token.ts";
import {
  type AccessToken,
  type AuthorizationCode,
  type FakeGoogleClient,
  type FakeGoogleUser,
  type Grant,
  opaque,
  redirectAllowed,
  verifierMatches,
} from "./oauth-state.ts";

export interface FakeGoogleOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Default: one client, `fake-google-client-id` / `fake-google-client-secret`, loopback redirects. */
  clients?: FakeGoogleClient[];
  /** Default: one user, ada@example.test. The first one consents unless `setConsent` says otherwise. */
  users?: FakeGoogleUser[];
  /** Lifetime of access tokens; Google's is 3599 s. */
  accessTokenTtlS?: number;
}

/** One request the fake received, for assertions (the fake keeps its tokens in clear: it is a fake). */
export interface RecordedGoogleRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly form: Record<string, string>;
  readonly authorization: string | undefined;
  status?: number;
}

export interface FakeGoogle {
  readonly url: string;
  /** Where a client points each Google endpoint (also served as OpenID discovery). */
  readonly endpoints: {
    readonly discovery: string;
    readonly authorization: string;
    readonly token: string;
    readonly revocation: string;
    readonly userinfo: string;
    readonly jwks: string;
  };
  readonly clients: readonly FakeGoogleClient[];
  readonly users: readonly FakeGoogleUser[];
  readonly requests: readonly RecordedGoogleRequest[];
  /** How the consent screen answers from now on: which user signs in, and allow or deny. */
  setConsent(answer: { readonly email?: string; readonly allow: boolean }): void;
  /** Every access token issued so far expires now (refresh tokens keep working). */
  expireAccessTokens(): void;
  /** The user removes the app's access in their Google account: every grant (of one user) dies. */
  revokeGrants(email?: string): void;
  /** The user a valid access token belongs to (for other fake Google APIs, e.g. Drive). */
  userFor(accessToken: string | undefined): FakeGoogleUser | undefined;
  /** The scopes a valid access token was granted (empty when it is not valid). */
  scopesFor(accessToken: string | undefined): readonly string[];
  close(): Promise<void>;
}

const CODE_TTL_MS = 10 * 60_000;

export async function startFakeGoogle(options: FakeGoogleOptions = {}): Promise<FakeGoogle> {
  const clients: FakeGoogleClient[] = options.clients ?? [
    {
      clientId: "fake-google-client-id",
      clientSecret: "fake-google-client-secret",
      redirectUris: [],
    },
  ];
  const users: FakeGoogleUser[] = options.users ?? [
    { sub: "100000000000000000001", email: "ada@example.test", name: "Ada Lovelace" },
  ];
  const ttlS = options.accessTokenTtlS ?? 3599;
  const signer = new IdTokenSigner();
  const codes = new Map<string, AuthorizationCode>();
  const refreshTokens = new Map<string, Grant>();
  const accessTokens = new Map<string, AccessToken>();
  const requests: RecordedGoogleRequest[] = [];
  let consent: { email?: string; allow: boolean } = { allow: true };
  let base = "";

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    const body = req.method === "POST" ? await readBody(req) : "";
    const form = Object.fromEntries(new URLSearchParams(body));
    const recorded: RecordedGoogleRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form,
      authorization: req.headers.authorization,
    };
    requests.push(recorded);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      recorded.status = status;
      const text = typeof payload === "string" ? payload : JSON.stringify(payload);
      const type =
        typeof payload === "string"
          ? "text/html; charset=utf-8"
          : "application/json; charset=utf-8";
      res
        .writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers })
        .end(text);
    };
    const redirect = (to: string) => {
      recorded.status = 302;
      res.writeHead(302, { location: to }).end();
    };

    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /.well-known/openid-configuration") return send(200, discovery());
    if (route === "GET /oauth2/v3/certs") return send(200, signer.jwks);
    if (route === "GET /o/oauth2/v2/auth") return authorize(url.searchParams, send, redirect);
    if (route === "POST /token") return token(form, req.headers.authorization, send);
    if (route === "POST /revoke")
      return revoke(form.token ?? url.searchParams.get("token") ?? "", send);
    if (route === "GET /v1/userinfo") return userinfo(req.headers.authorization, send);
    return send(404, { error: { code: 404, message: `No route ${route}`, status: "NOT_FOUND" } });
  }

  function discovery() {
    return {
      issuer: base,
      authorization_endpoint: `${base}/o/oauth2/v2/auth`,
      token_endpoint: `${base}/token`,
      userinfo_endpoint: `${base}/v1/userinfo`,
      revocation_endpoint: `${base}/revoke`,
      jwks_uri: `${base}/oauth2/v3/certs`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid", "email", "profile"],
      token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
      code_challenge_methods_supported: ["plain", "S256"],
      grant_types_supported: ["authorization_code", "refresh_token"],
    };
  }

  type Send = (status: number, payload: unknown, headers?: Record<string, string>) => void;

  function authorize(params: URLSearchParams, send: Send, redirect: (to: string) => void) {
    const client = clients.find((c) => c.clientId === params.get("client_id"));
    // Google shows these on its own page: a client that is unknown or names a foreign redirect
    // must never receive the user back.
    if (!client)
      return send(401, errorPage("401: invalid_client", "The OAuth client was not found."));
    const redirectUri = params.get("redirect_uri") ?? "";
    if (!redirectAllowed(client, redirectUri)) {
      return send(
        400,
        errorPage(
          "400: redirect_uri_mismatch",
          "The redirect URI is not registered for this client.",
        ),
      );
    }
    const back = (values: Record<string, string>) => {
      const to = new URL(redirectUri);
      for (const [key, value] of Object.entries(values)) to.searchParams.set(key, value);
      const state = params.get("state");
      if (state !== null) to.searchParams.set("state", state);
      redirect(to.toString());
    };
    if (params.get("response_type") !== "code") {
      return back({ error: "unsupported_response_type" });
    }
    const scope = params.get("scope")?.trim();
    if (!scope)
      return back({
        error: "invalid_request",
        error_description: "Missing required parameter: scope",
      });
    const method =
      params.get("code_challenge_method") ?? (params.has("code_challenge") ? "plain" : "S256");
    if (method !== "S256" && method !== "plain") {
      return back({ error: "invalid_request", error_description: "Invalid code_challenge_method" });
    }
    if (!consent.allow) return back({ error: "access_denied" });
    const user = users.find((u) => u.email === consent.email) ?? (users[0] as FakeGoogleUser);
    const code = opaque("4/0");
    codes.set(code, {
      clientId: client.clientId,
      redirectUri,
      scope,
      user,
      codeChallenge: params.get("code_challenge") ?? undefined,
      codeChallengeMethod: method,
      offline: params.get("access_type") === "offline",
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    });
    back({ code, scope, authuser: "0", prompt: "consent" });
  }

  function clientOf(form: Record<string, string>, authorization: string | undefined, send: Send) {
    let id = form.client_id;
    let secret = form.client_secret;
    if (authorization?.startsWith("Basic ")) {
      const [user, pass] = Buffer.from(authorization.slice(6), "base64").toString().split(":");
      id = decodeURIComponent(user ?? "");
      secret = decodeURIComponent(pass ?? "");
    }
    const client = clients.find((c) => c.clientId === id);
    if (!client) {
      send(401, { error: "invalid_client", error_description: "The OAuth client was not found." });
      return undefined;
    }
    if (client.clientSecret !== secret) {
      send(401, { error: "invalid_client", error_description: "Unauthorized" });
      return undefined;
    }
    return client;
  }

  function issue(grant: Grant, refreshToken?: string) {
    const accessToken = opaque("ya29.");
    accessTokens.set(accessToken, { grant, expiresAt: Date.now() + ttlS * 1000 });
    const now = Math.floor(Date.now() / 1000);
    return {
      access_token: accessToken,
      expires_in: ttlS,
      scope: grant.scope,
      token_type: "Bearer",
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(grant.scope.split(" ").includes("openid")
        ? {
            id_token: signer.sign({
              iss: base,
              aud: grant.clientId,
              azp: grant.clientId,
              sub: grant.user.sub,
              email: grant.user.email,
              email_verified: true,
              name: grant.user.name,
              iat: now,
              exp: now + 3600,
            }),
          }
        : {}),
    };
  }

  function token(form: Record<string, string>, authorization: string | undefined, send: Send) {
    const client = clientOf(form, authorization, send);
    if (!client) return;
    if (form.grant_type === "authorization_code") {
      const code = codes.get(form.code ?? "");
      if (!code || code.used || code.clientId !== client.clientId || code.expiresAt < Date.now()) {
        return send(400, { error: "invalid_grant", error_description: "Bad Request" });
      }
      code.used = true;
      if (form.redirect_uri !== code.redirectUri) {
        return send(400, { error: "redirect_uri_mismatch", error_description: "Bad Request" });
      }
      if (code.codeChallenge !== undefined) {
        if (!form.code_verifier)
          return send(400, { error: "invalid_grant", error_description: "Missing code verifier." });
        if (!verifierMatches(form.code_verifier, code.codeChallenge, code.codeChallengeMethod)) {
          return send(400, { error: "invalid_grant", error_description: "Invalid code verifier." });
        }
      }
      const grant: Grant = {
        clientId: client.clientId,
        user: code.user,
        scope: code.scope,
        revoked: false,
      };
      const refreshToken = code.offline ? opaque("1//") : undefined;
      if (refreshToken) refreshTokens.set(refreshToken, grant);
      return send(200, issue(grant, refreshToken));
    }
    if (form.grant_type === "refresh_token") {
      const grant = refreshTokens.get(form.refresh_token ?? "");
      if (!grant || grant.revoked || grant.clientId !== client.clientId) {
        return send(400, {
          error: "invalid_grant",
          error_description: "Token has been expired or revoked.",
        });
      }
      return send(200, issue(grant));
    }
    send(400, {
      error: "unsupported_grant_type",
      error_description: `Invalid grant_type: ${form.grant_type ?? ""}`,
    });
  }

  function revoke(value: string, send: Send) {
    const grant = refreshTokens.get(value) ?? accessTokens.get(value)?.grant;
    if (!grant || grant.revoked) {
      return send(400, { error: "invalid_token", error_description: "Token expired or revoked" });
    }
    grant.revoked = true;
    send(200, {});
  }

  function userFor(accessToken: string | undefined): FakeGoogleUser | undefined {
    const token = accessTokens.get(accessToken ?? "");
    if (!token || token.grant.revoked || token.expiresAt <= Date.now()) return undefined;
    return token.grant.user;
  }

  function scopesFor(accessToken: string | undefined): readonly string[] {
    if (!userFor(accessToken)) return [];
    return accessTokens.get(accessToken ?? "")?.grant.scope.split(" ") ?? [];
  }

  function userinfo(authorization: string | undefined, send: Send) {
    const user = userFor(authorization?.replace(/^Bearer /, ""));
    if (!user) {
      return send(
        401,
        { error: "invalid_request", error_description: "Invalid Credentials" },
        {
          "www-authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        },
      );
    }
    send(200, { sub: user.sub, name: user.name, email: user.email, email_verified: true });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  base = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: base,
    endpoints: {
      discovery: `${base}/.well-known/openid-configuration`,
      authorization: `${base}/o/oauth2/v2/auth`,
      token: `${base}/token`,
      revocation: `${base}/revoke`,
      userinfo: `${base}/v1/userinfo`,
      jwks: `${base}/oauth2/v3/certs`,
    },
    clients,
    users,
    requests,
    setConsent(answer) {
      consent = { ...answer };
    },
    expireAccessTokens() {
      for (const token of accessTokens.values()) token.expiresAt = 0;
    },
    revokeGrants(email) {
      for (const grant of refreshTokens.values()) {
        if (email === undefined || grant.user.email === email) grant.revoked = true;
      }
      for (const token of accessTokens.values()) {
        if (email === undefined || token.grant.user.email === email) token.grant.revoked = true;
      }
    },
    userFor,
    scopesFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function errorPage(title: string, detail: string): string {
  return `<!doctype html><title>Error ${title}</title><h1>Access blocked: Error ${title}</h1><p>${detail}</p>`;
}

/** Token requests are small forms; a bigger body is not something the fake needs to read. */
const MAX_BODY_BYTES = 64 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
