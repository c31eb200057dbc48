import { ApiError as GeminiApiError } from "@google/genai";
import { ApiError } from "../http/errors.ts";

/**
 * The one place upstream model faults become client-facing errors. Gemini's own status picks
 * ours: a client retries a 429 or 503, while a 502 says the model side broke.
 */
export function fromGeminiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof GeminiApiError) {
    const upstream = summarize(error.message);
    switch (true) {
      case error.status === 429:
        return new ApiError({
          status: 429,
          type: "rate_limit_error",
          code: "upstream_rate_limited",
          message: `The model provider is rate limiting requests: ${upstream}`,
          retryAfterSeconds: retryDelaySeconds(error.message),
          cause: error,
        });
      case error.status === 400:
        return new ApiError({
          status: 400,
          type: "invalid_request_error",
          code: "upstream_rejected_request",
          message: `The model provider rejected the request: ${upstream}`,
          cause: error,
        });
      case error.status === 401 || error.status === 403:
        return new ApiError({
          status: 502,
          type: "upstream_error",
          code: "upstream_auth_failed",
          message: "The model provider refused the runtime's credentials; check GEMINI_API_KEY.",
          cause: error,
        });
      case error.status === 503:
        return new ApiError({
          status: 503,
          type: "upstream_error",
          code: "upstream_unavailable",
          message: `The model provider is unavailable: ${upstream}`,
          cause: error,
        });
      case error.status === 504:
        return new ApiError({
          status: 504,
          type: "timeout_error",
          code: "upstream_timeout",
          message: `The model provider timed out: ${upstream}`,
          cause: error,
        });
      default:
        return new ApiError({
          status: 502,
          type: "upstream_error",
          code: "upstream_error",
          message: `The model provider failed (HTTP ${error.status}): ${upstream}`,
          cause: error,
        });
    }
  }
  return new ApiError({
    status: 502,
    type: "upstream_error",
    code: "upstream_connection_failed",
    message: `The connection to the model provider failed: ${(error as Error)?.message ?? String(error)}`,
    cause: error,
  });
}

/** Gemini errors carry the Google error JSON in the message; keep its human part only. */
function summarize(message: string): string {
  const match = /"message":\s*"((?:[^"\\]|\\.)*)"/.exec(message);
  const text = match?.[1] ?? message;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function retryDelaySeconds(message: string): number | undefined {
  const match = /"retryDelay":\s*"(\d+(?:\.\d+)?)s"/.exec(message);
  return match ? Math.ceil(Number(match[1])) : undefined;
}
