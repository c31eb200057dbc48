import type { ToolContext } from "@agentllm/sdk";
import {
  DEFAULT_DRIVE_BASE_URL,
  DriveHttpError,
  type DriveRequestOptions,
  type FetchLike,
} from "./drive-client.ts";

/** What every tool shares: where Drive is, how long to wait, and (in tests) how to fetch. */
export interface DriveSettings {
  /** Default: `GOOGLE_DRIVE_BASE_URL`, else Google's API host; read when a tool runs. */
  readonly baseUrl?: () => string | undefined;
  /** One Drive request's wait (default 20 s). */
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

export class DriveSetupError extends Error {
  override readonly name = "DriveSetupError";
}

/**
 * Runs `call` with the user's access token. Google may revoke an access token before its
 * expiry while the grant still works, so a 401 gets one fresh token and one retry; a second
 * 401 (or a grant without Drive's scope) hands the credential back to the runtime, which asks
 * the user to connect again.
 */
export async function asDriveUser<T>(
  ctx: ToolContext,
  settings: DriveSettings,
  call: (request: DriveRequestOptions) => Promise<T>,
): Promise<T> {
  const baseUrl = driveBaseUrl(settings.baseUrl?.() ?? process.env.GOOGLE_DRIVE_BASE_URL);
  const request = (accessToken: string): DriveRequestOptions => ({
    baseUrl,
    accessToken,
    signal: ctx.signal,
    ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
    fetch: settings.fetch ?? ctx.fetch,
  });
  const token = async (refresh: boolean) => {
    const values = await ctx.credential.get(refresh ? { refresh: true } : undefined);
    const accessToken = values.accessToken;
    if (!accessToken) return ctx.credential.rejected("the Google grant has no access token");
    return accessToken;
  };
  try {
    try {
      return await call(request(await token(false)));
    } catch (error) {
      if (!(error instanceof DriveHttpError && error.status === 401)) throw error;
      return await call(request(await token(true)));
    }
  } catch (error) {
    if (error instanceof DriveHttpError && error.status === 401) {
      return ctx.credential.rejected("Google Drive no longer accepts the grant (401)");
    }
    if (error instanceof DriveHttpError && error.reason === "insufficientPermissions") {
      return ctx.credential.rejected(
        "the Google grant does not include read access to Drive (403 insufficientPermissions)",
      );
    }
    throw error;
  }
}

function driveBaseUrl(configured: string | undefined): string {
  const raw = configured?.trim() || DEFAULT_DRIVE_BASE_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DriveSetupError("GOOGLE_DRIVE_BASE_URL is not a URL; ask the operator to fix it");
  }
  // Access tokens travel in the clear over http: only a loopback fake may use it.
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new DriveSetupError(
      "GOOGLE_DRIVE_BASE_URL must be an https URL (http only for a loopback address)",
    );
  }
  return url.href.replace(/\/+$/, "");
}

/** A Drive refusal as one sentence the model can act on; `what` names the file or search. */
export function explainDriveError(error: DriveHttpError, what: string): string {
  if (
    error.status === 429 ||
    error.reason === "userRateLimitExceeded" ||
    error.reason === "rateLimitExceeded"
  ) {
    const wait =
      error.retryAfterSeconds !== undefined ? `${error.retryAfterSeconds} seconds` : "a minute";
    return (
      `Google Drive is limiting requests (${error.status} ${error.reason ?? ""}`.trimEnd() +
      `); retry after ${wait}, or tell the user to try again then.`
    );
  }
  if (error.status === 404) {
    return `${what} does not exist, or the user's Google account cannot see it (404): check the link, or ask the owner to share it with the user.`;
  }
  if (error.status === 403) {
    return `Google Drive refused access to ${what} (403${error.reason ? ` ${error.reason}` : ""}): the user's account or their organisation's policy does not allow it.`;
  }
  if (error.status === 400) {
    return `Google Drive rejected the request for ${what} (400${error.reason ? ` ${error.reason}` : ""}).`;
  }
  return `Google Drive answered ${error.status} for ${what}; it may be unavailable, try again later.`;
}
