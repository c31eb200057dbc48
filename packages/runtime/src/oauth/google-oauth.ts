import * as oidc from "openid-client";
import { runtimeFetch } from "../tracing/traced-fetch.ts";
import { inSpan } from "../tracing/tracer.ts";
import { googleServerMetadata } from "./google-endpoints.ts";

export interface GoogleOAuthOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `${AGENTLLM_PUBLIC_URL}/oauth/callback/google`, registered in Google Cloud's console. */
  readonly redirectUri: string;
  /** GOOGLE_OAUTH_BASE_URL: every endpoint on one server (the testkit's fake). */
  readonly baseUrl?: string | undefined;
  /** Bounds each call to Google. */
  readonly timeoutMs?: number;
}

/** What the callback must remember between sending the user to Google and their return. */
export interface PendingAuthorization {
  readonly state: string;
  readonly codeVerifier: string;
}

/** A finished consent: what the vault keeps (the refresh token is the secret that matters). */
export interface GoogleGrant {
  readonly refreshToken: string;
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly scopes: readonly string[];
  /** The Google account, from the verified ID token. */
  readonly email: string | undefined;
}

export interface FreshAccessToken {
  readonly accessToken: string;
  readonly expiresAt: number;
}

/** The user said no on Google's consent screen (or Google refused the request). */
export class ConsentDeniedError extends Error {
  override readonly name = "ConsentDeniedError";
}

/** The callback is not the answer to a request we made: wrong or replayed `state`, bad code. */
export class CallbackRejectedError extends Error {
  override readonly name = "CallbackRejectedError";
}

/** The refresh token no longer works (revoked by the user, expired): the user must connect again. */
export class GrantRevokedError extends Error {
  override readonly name = "GrantRevokedError";
}

/**
 * Google's authorization-code flow with PKCE and `state` for a web server app, on openid-client
 * (certified OpenID client, no dependencies of its own besides panva's oauth4webapi and jose).
 * `access_type=offline` + `prompt=consent` so Google returns a refresh token every time.
 */
export class GoogleOAuth {
  readonly #config: oidc.Configuration;
  readonly #redirectUri: string;
  /** Where the consent page lives, for the connect page's CSP `form-action`. */
  readonly authorizationOrigin: string;

  constructor(options: GoogleOAuthOptions) {
    this.#redirectUri = options.redirectUri;
    this.authorizationOrigin = new URL(
      googleServerMetadata(options.baseUrl).authorization_endpoint as string,
    ).origin;
    this.#config = new oidc.Configuration(
      googleServerMetadata(options.baseUrl),
      options.clientId,
      options.clientSecret,
    );
    this.#config.timeout = Math.ceil((options.timeoutMs ?? 10_000) / 1000);
    // Each request to Google gets the runtime's client span (method, host, path; never the body
    // that carries the code, the verifier, the client secret or the refresh token).
    this.#config[oidc.customFetch] = runtimeFetch;
    // openid-client refuses plain http; only a loopback fake may use it.
    if (options.baseUrl && isLoopbackHttp(options.baseUrl))
      oidc.allowInsecureRequests(this.#config);
  }

  /** The consent URL for these scopes, and what the callback needs to finish. */
  async begin(scopes: readonly string[]): Promise<{ url: URL; pending: PendingAuthorization }> {
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(this.#config, {
      redirect_uri: this.#redirectUri,
      response_type: "code",
      scope: ["openid", "email", ...scopes].join(" "),
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      access_type: "offline",
      prompt: "consent",
      include_granted_scopes: "true",
    });
    return { url, pending: { state, codeVerifier } };
  }

  /** Completes the flow from the URL Google sent the user back to. */
  finish(callbackUrl: URL, pending: PendingAuthorization): Promise<GoogleGrant> {
    return traceOAuth("code_exchange", () => this.#finish(callbackUrl, pending));
  }

  async #finish(callbackUrl: URL, pending: PendingAuthorization): Promise<GoogleGrant> {
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(this.#config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        idTokenExpected: true,
      });
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError) {
        throw new ConsentDeniedError(
          error.error === "access_denied"
            ? "access was not granted"
            : `Google answered ${error.error}`,
        );
      }
      throw new CallbackRejectedError(describe(error));
    }
    if (!tokens.refresh_token) {
      throw new CallbackRejectedError("Google returned no refresh token");
    }
    const claims = tokens.claims();
    return {
      refreshToken: tokens.refresh_token,
      accessToken: tokens.access_token,
      expiresAt: expiry(tokens.expiresIn()),
      scopes: (tokens.scope ?? "").split(" ").filter(Boolean),
      email: typeof claims?.email === "string" ? claims.email : undefined,
    };
  }

  /** A new access token from the refresh token; GrantRevokedError when Google says it is dead. */
  refresh(refreshToken: string): Promise<FreshAccessToken> {
    return traceOAuth("refresh", () => this.#refresh(refreshToken));
  }

  async #refresh(refreshToken: string): Promise<FreshAccessToken> {
    try {
      const tokens = await oidc.refreshTokenGrant(this.#config, refreshToken);
      return { accessToken: tokens.access_token, expiresAt: expiry(tokens.expiresIn()) };
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === "invalid_grant") {
        throw new GrantRevokedError("Google no longer accepts this grant");
      }
      throw error;
    }
  }

  /** Tells Google to end the grant (disconnect). A grant already gone is not an error. */
  revoke(token: string): Promise<void> {
    return traceOAuth("revoke", () => this.#revoke(token));
  }

  async #revoke(token: string): Promise<void> {
    try {
      await oidc.tokenRevocation(this.#config, token);
    } catch (error) {
      if (error instanceof oidc.ResponseBodyError && error.error === "invalid_token") return;
      throw error;
    }
  }
}

/**
 * An internal span around one OAuth operation, so its request to Google (a `POST /token` client
 * span from traced-fetch) says what it was for: under the Drive tool's span for a refresh, a
 * trace of its own at the callback (the public listener continues no browser's trace). The
 * outcome is the error's class (`GrantRevokedError`, `ConsentDeniedError`), never its message.
 */
function traceOAuth<T>(operation: "code_exchange" | "refresh" | "revoke", run: () => Promise<T>) {
  return inSpan(
    `oauth google ${operation}`,
    { attributes: { "agentllm.oauth.provider": "google", "agentllm.oauth.operation": operation } },
    run,
  );
}

function expiry(expiresInS: number | undefined): number {
  // Google's tokens live 3599 s; without a lifetime, assume a short one and refresh early.
  return Date.now() + (expiresInS ?? 300) * 1000;
}

function isLoopbackHttp(url: string): boolean {
  const parsed = new URL(url);
  return (
    parsed.protocol === "http:" &&
    (parsed.hostname === "127.0.0.1" ||
      parsed.hostname === "localhost" ||
      parsed.hostname === "[::1]")
  );
}

function describe(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError) return `Google answered ${error.error}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
