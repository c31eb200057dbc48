import { networkCause, readBoundedBody, retryAfterSeconds } from "@agentllm/sdk";
/** Google's API host; `GOOGLE_DRIVE_BASE_URL` points the toolkit elsewhere (the fake Drive). */
export const DEFAULT_DRIVE_BASE_URL = "https://www.googleapis.com";
/** A Drive request's wait, unless the tool's own deadline comes first. */
export const DEFAULT_DRIVE_TIMEOUT_MS = 20_000;
/** The largest JSON answer read: a page of 50 files' metadata is a few kilobytes. */
export const MAX_DRIVE_JSON_BYTES = 1024 * 1024;

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface DriveRequestOptions {
  readonly baseUrl: string;
  readonly accessToken: string;
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

/** Drive answered with an error status; `reason` is Google's `errors[0].reason`. */
export class DriveHttpError extends Error {
  override readonly name = "DriveHttpError";
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    readonly googleMessage: string | undefined,
    /** From `Retry-After`, in seconds. */
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`Google Drive answered ${status}${reason ? ` (${reason})` : ""}`);
  }
}

/** No usable answer: unreachable, too slow, too large, or not Drive's JSON. */
export class DriveUnavailableError extends Error {
  override readonly name = "DriveUnavailableError";
}

/** A body read up to a byte limit; `truncated` when the answer went on past it. */
export interface DriveBody {
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * GET `{baseUrl}/drive/v3/{path}` as the token's user. A small fetch client, not Google's SDK
 * (see docs/architecture.md): four read-only endpoints, our own bounds. `maxBytes` with
 * `truncate` keeps the start of a longer body (a document) instead of failing.
 */
export async function driveGet(
  path: string,
  query: Readonly<Record<string, string>>,
  options: DriveRequestOptions,
  body: { readonly maxBytes: number; readonly truncate: boolean } = {
    maxBytes: MAX_DRIVE_JSON_BYTES,
    truncate: false,
  },
): Promise<DriveBody> {
  const url = new URL(`${options.baseUrl}/drive/v3/${path}`);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const timeoutMs = options.timeoutMs ?? DEFAULT_DRIVE_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const late = () =>
    new DriveUnavailableError(`Google Drive did not answer within ${timeoutMs / 1000} s`);
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url.href, {
      headers: { authorization: `Bearer ${options.accessToken}`, accept: "application/json, */*" },
      signal,
      redirect: "error",
    });
  } catch (error) {
    options.signal.throwIfAborted();
    if (timeout.aborted) throw late();
    throw new DriveUnavailableError(`could not reach Google Drive: ${networkCause(error)}`);
  }
  // An error body is Google's small JSON; never read more of it than of any JSON answer.
  const limit = response.ok ? body : { maxBytes: MAX_DRIVE_JSON_BYTES, truncate: false };
  let read: Awaited<ReturnType<typeof readBoundedBody>>;
  try {
    read = await readBoundedBody(response, limit.maxBytes, { truncate: limit.truncate });
  } catch (error) {
    options.signal.throwIfAborted();
    if (timeout.aborted) throw late();
    throw error;
  }
  if (read.tooLarge) {
    throw new DriveUnavailableError(`Google Drive's answer is larger than ${limit.maxBytes} bytes`);
  }
  if (!response.ok) {
    const { reason, message } = googleError(read.text);
    throw new DriveHttpError(response.status, reason, message, retryAfterSeconds(response));
  }
  return { text: read.text, truncated: read.truncated };
}

/** {@link driveGet} for the JSON endpoints. */
export async function driveJson(
  path: string,
  query: Readonly<Record<string, string>>,
  options: DriveRequestOptions,
): Promise<unknown> {
  const { text } = await driveGet(path, query, options);
  try {
    return JSON.parse(text);
  } catch {
    throw new DriveUnavailableError(
      "Google Drive did not answer with JSON (check GOOGLE_DRIVE_BASE_URL)",
    );
  }
}

/** Google's `{"error": {"code", "message", "errors": [{"reason"}]}}`; nothing for other bodies. */
function googleError(text: string): { reason?: string; message?: string } {
  try {
    const body = JSON.parse(text) as {
      error?: { message?: unknown; errors?: Array<{ reason?: unknown }> };
    };
    const reason = body.error?.errors?.[0]?.reason;
    const message = body.error?.message;
    return {
      ...(typeof reason === "string" ? { reason: reason.slice(0, 100) } : {}),
      ...(typeof message === "string" ? { message: message.slice(0, 300) } : {}),
    };
  } catch {
    return {};
  }
}
