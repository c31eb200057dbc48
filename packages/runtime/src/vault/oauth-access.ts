import { CredentialRequiredError, type PluginLogger } from "@agentllm/sdk";
import { type GoogleOAuth, GrantRevokedError } from "../oauth/google-oauth.ts";
import type { CredentialVault, StoredCredential } from "./credential-vault.ts";

/** How an OAuth credential is kept in the vault (written by the OAuth callback). */
export const OAUTH_FIELDS = {
  refreshToken: "refresh_token",
  accessToken: "access_token",
  expiresAt: "access_token_expires_at",
  email: "email",
  scopes: "scopes",
} as const;

/** An access token this close to its expiry is renewed before use, not after a 401. */
export const REFRESH_MARGIN_MS = 60_000;

/**
 * The values an `oauth2` tool gets, `{ accessToken, email }`, with an access token that is
 * valid for at least a minute: refreshed from the stored refresh token (and the new one stored)
 * when close to expiry or when `force`d after a 401. A grant Google no longer accepts is
 * forgotten and the user is sent to connect again.
 */
export async function freshOAuthAccess(input: {
  readonly stored: StoredCredential;
  readonly google: GoogleOAuth | undefined;
  readonly vault: CredentialVault;
  readonly force: boolean;
  readonly logger: PluginLogger;
  /** Told every access token handed out, so tool results echoing one get it scrubbed. */
  readonly onSecret: (value: string) => void;
  readonly now?: () => number;
}): Promise<{ values: Readonly<Record<string, string>>; stored: StoredCredential }> {
  const { stored, google, vault, logger } = input;
  const now = (input.now ?? Date.now)();
  const expiresAt = Number(stored.metadata[OAUTH_FIELDS.expiresAt] ?? 0);
  const current = stored.secrets[OAUTH_FIELDS.accessToken];
  const email = stored.metadata[OAUTH_FIELDS.email] ?? "";
  if (current && !input.force && expiresAt - now > REFRESH_MARGIN_MS) {
    return { values: Object.freeze({ accessToken: current, email }), stored };
  }
  const refreshToken = stored.secrets[OAUTH_FIELDS.refreshToken];
  if (!google || !refreshToken) {
    // No client configured any more (or a damaged row): nothing can renew this grant.
    throw new CredentialRequiredError(stored.toolkit, "Google sign-in is not available");
  }
  let fresh: Awaited<ReturnType<GoogleOAuth["refresh"]>>;
  try {
    fresh = await google.refresh(refreshToken);
  } catch (error) {
    if (error instanceof GrantRevokedError) {
      await vault.remove(stored.userId, stored.toolkit);
      logger.info({ toolkit: stored.toolkit }, "Google grant revoked or expired, forgotten");
      throw new CredentialRequiredError(
        stored.toolkit,
        "Google no longer accepts the access given earlier",
      );
    }
    logger.warn({ toolkit: stored.toolkit, error: (error as Error)?.name }, "token refresh failed");
    throw new Error("could not renew the Google access token; try again in a moment");
  }
  input.onSecret(fresh.accessToken);
  const updated = {
    kind: stored.kind,
    secrets: { ...stored.secrets, [OAUTH_FIELDS.accessToken]: fresh.accessToken },
    metadata: { ...stored.metadata, [OAUTH_FIELDS.expiresAt]: String(fresh.expiresAt) },
  };
  await vault.put(stored.userId, stored.toolkit, updated);
  return {
    values: Object.freeze({ accessToken: fresh.accessToken, email }),
    stored: { ...stored, ...updated },
  };
}
