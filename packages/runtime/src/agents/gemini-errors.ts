import { ApiError as GeminiApiError } from "@google/genai";
import { ModelProviderError } from "../errors/model-provider-error.ts";

/**
 * The one place Gemini's faults become the runtime's. Gemini's own status picks the failure: a
 * client retries a 429 or 503, while a broken answer says the model side failed.
 */
export function fromGeminiError(error: unknown): ModelProviderError {
  if (error instanceof ModelProviderError) return error;
  if (error instanceof GeminiApiError) {
    const upstream = summarize(error.message);
    const cause = { cause: error };
    switch (true) {
      case error.status === 429:
        return new ModelProviderError(
          "rate_limited",
          `The model provider is rate limiting requests: ${upstream}`,
          { ...cause, retryAfterSeconds: retryAfterSeconds(error) },
        );
      case error.status === 400:
        return new ModelProviderError(
          "rejected_request",
          `The model provider rejected the request: ${upstream}`,
          cause,
        );
      case error.status === 401 || error.status === 403:
        return new ModelProviderError(
          "auth_failed",
          "The model provider refused the runtime's credentials; check GEMINI_API_KEY.",
          cause,
        );
      case error.status === 503:
        return new ModelProviderError(
          "unavailable",
          `The model provider is unavailable: ${upstream}`,
          { ...cause, retryAfterSeconds: retryAfterSeconds(error) },
        );
      case error.status === 504:
        return new ModelProviderError(
          "timeout",
          `The model provider timed out: ${upstream}`,
          cause,
        );
      default:
        return new ModelProviderError(
          "failed",
          `The model provider failed (HTTP ${error.status}): ${upstream}`,
          cause,
        );
    }
  }
  return new ModelProviderError(
    "connection_failed",
    `The connection to the model provider failed: ${(error as Error)?.message ?? String(error)}`,
    { cause: error },
  );
}

/** Gemini errors carry the Google error JSON in the message; keep its human part only. */
function summarize(message: string): string {
  const match = /"message":\s*"((?:[^"\\]|\\.)*)"/.exec(message);
  const text = match?.[1] ?? message;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * How long the model provider asked us to wait before trying again, in milliseconds; the one
 * parser for it (the retrying client waits this long, clients get it as `Retry-After`).
 * Gemini sends a `google.rpc.RetryInfo` detail (`"retryDelay": "7s"`) in the error JSON, which
 * the SDK keeps in `message`; a `Retry-After` header (seconds or an HTTP date) counts too when
 * the error carries `headers` (a custom fetch or a later SDK may attach them).
 */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { message, headers } = error as { message?: unknown; headers?: unknown };
  if (typeof message === "string") {
    // Also matches the JSON when it is quoted once more inside another string.
    const match = /\\?"retryDelay\\?"\s*:\s*\\?"(\d+(?:\.\d+)?)s\\?"/.exec(message);
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  const header = headerValue(headers, "retry-after");
  return header === undefined ? undefined : parseRetryAfterHeader(header, now);
}

/** `Retry-After` as seconds for a client: whole seconds, rounded up. */
export function retryAfterSeconds(error: unknown): number | undefined {
  const ms = retryAfterMs(error);
  return ms === undefined ? undefined : Math.ceil(ms / 1000);
}

/** An HTTP `Retry-After` value (delay seconds or an HTTP date) in milliseconds from `now`. */
export function parseRetryAfterHeader(value: string, now: number = Date.now()): number | undefined {
  const trimmed = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date names its month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone
  // would take "-5" for a year.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === "function") {
    const value: unknown = get.call(headers, name);
    return typeof value === "string" ? value : undefined;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === "string") return value;
    if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  }
  return undefined;
}
