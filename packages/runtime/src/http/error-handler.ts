import type { NextFunction, Request, Response } from "express";
import { ModelProviderError, type ModelProviderFailure } from "../errors/model-provider-error.ts";
import { UnknownAgentError } from "../errors/unknown-agent-error.ts";
import { SessionBusyError } from "../sessions/session-busy-error.ts";
import { SessionLockUnavailableError } from "../sessions/session-lock-unavailable-error.ts";
import { OVERLOADED_RETRY_AFTER_SECONDS } from "./admission/admit-request.ts";
import { ApiError, toApiError } from "./errors.ts";

/** How each model-provider failure reaches a client: status, OpenAI type and our code. */
const PROVIDER_FAILURES: Record<
  ModelProviderFailure,
  Pick<ApiError, "status" | "type" | "code">
> = {
  rate_limited: { status: 429, type: "rate_limit_error", code: "upstream_rate_limited" },
  rejected_request: {
    status: 400,
    type: "invalid_request_error",
    code: "upstream_rejected_request",
  },
  auth_failed: { status: 502, type: "upstream_error", code: "upstream_auth_failed" },
  unavailable: { status: 503, type: "upstream_error", code: "upstream_unavailable" },
  timeout: { status: 504, type: "timeout_error", code: "upstream_timeout" },
  failed: { status: 502, type: "upstream_error", code: "upstream_error" },
  connection_failed: { status: 502, type: "upstream_error", code: "upstream_connection_failed" },
  stream_incomplete: { status: 502, type: "upstream_error", code: "upstream_stream_incomplete" },
};

/**
 * The one place domain errors (which know nothing of HTTP) get the status a client should see.
 */
export function classify(error: unknown): ApiError {
  if (error instanceof ModelProviderError) {
    return new ApiError({
      ...PROVIDER_FAILURES[error.failure],
      message: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
      cause: error,
    });
  }
  if (error instanceof UnknownAgentError) {
    return new ApiError({
      status: 404,
      type: "not_found_error",
      code: "model_not_found",
      message: error.message,
      param: "model",
    });
  }
  if (error instanceof SessionBusyError) {
    return new ApiError({
      status: 409,
      type: "conflict_error",
      code: "session_busy",
      message: error.message,
      cause: error,
    });
  }
  if (error instanceof SessionLockUnavailableError) {
    // Past the lock connection bound it is the same overload admission control reports.
    return new ApiError({
      status: 503,
      type: "server_error",
      code: error.reason === "capacity" ? "overloaded" : "database_unavailable",
      message: `${error.message}; retry in ${OVERLOADED_RETRY_AFTER_SECONDS} s.`,
      retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  // body-parser marks its own failures with a status and a type.
  const parserError = error as {
    type?: string;
    status?: number;
    expose?: boolean;
    limit?: number;
    message?: string;
    body?: unknown;
  };
  if (parserError?.type === "entity.too.large") {
    return new ApiError({
      status: 413,
      type: "invalid_request_error",
      code: "request_too_large",
      message: `The request body is larger than the runtime's limit of ${parserError.limit} bytes.`,
    });
  }
  if (parserError?.type === "entity.parse.failed") {
    return new ApiError({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_json",
      message: notJsonMessage(parserError.body, parserError.message),
    });
  }
  if (parserError?.type === "encoding.invalid") {
    return new ApiError({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_encoding",
      message: "The request body is not valid UTF-8.",
    });
  }
  if (parserError?.type === "encoding.unsupported" || parserError?.type === "charset.unsupported") {
    return new ApiError({
      status: 415,
      type: "invalid_request_error",
      code: "unsupported_encoding",
      message: `The request body's encoding is not supported (${clip(parserError.message)}); send UTF-8 JSON, plain or gzip/deflate/br.`,
    });
  }
  // Any other client-side failure to read the body (a broken gzip stream, a body shorter than
  // its Content-Length, an aborted upload): http-errors marks those 4xx and `expose`.
  if (
    parserError?.expose === true &&
    typeof parserError.status === "number" &&
    parserError.status >= 400 &&
    parserError.status < 500
  ) {
    return new ApiError({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_body",
      message: `The request body could not be read: ${clip(parserError.message)}`,
    });
  }
  return toApiError(error);
}

/** Says what is wrong with a body the JSON parser refused. */
function notJsonMessage(body: unknown, parserMessage: string | undefined): string {
  const start = typeof body === "string" ? body.trimStart().slice(0, 1) : "{";
  // The parser only takes an object or an array; for anything else its words mislead.
  if (start === "") return "The request body is not valid JSON: it is only whitespace.";
  if (start !== "{" && start !== "[") {
    return `The request body is not valid JSON for this API: it must be a JSON object, but it starts with ${JSON.stringify(start)}.`;
  }
  return `The request body is not valid JSON: ${clip(parserMessage)}`;
}

/** A parser's own words, kept short: they quote the client's body back. */
function clip(text: string | undefined): string {
  const value = text ?? "unknown problem";
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

/** The only place that writes an error response (mid-stream errors go through `sse.ts`). */
export function errorHandler(
  error: unknown,
  req: Request,
  res: Response,
  _next: NextFunction,
): void {
  const apiError = classify(error);
  // ERROR is for the runtime's own faults; an upstream outage or a full runtime (overloaded) is
  // a 5xx the client should see but not a bug, and a client's load must not flood ERROR.
  if (apiError.code === "internal_error") req.log.error({ err: error }, "request failed");
  else if (apiError.status >= 500) {
    req.log.warn(
      { status: apiError.status, code: apiError.code },
      "request failed upstream or overloaded",
    );
  } else req.log.info({ status: apiError.status, code: apiError.code }, "request rejected");
  if (res.headersSent) {
    res.end();
    return;
  }
  if (apiError.retryAfterSeconds !== undefined) {
    res.setHeader("Retry-After", String(apiError.retryAfterSeconds));
  }
  res.status(apiError.status).json(apiError.toJSON());
}

export function notFound(req: Request): never {
  throw new ApiError({
    status: 404,
    type: "not_found_error",
    code: "unknown_route",
    message: `No route for ${req.method} ${req.path}.`,
  });
}
