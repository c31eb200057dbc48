import type { NextFunction, Request, Response } from "express";
import { UnknownAgentError } from "../errors/unknown-agent-error.ts";
import { ApiError, toApiError } from "./errors.ts";

/** Maps errors that are not HTTP-aware to the status a client should see. */
export function classify(error: unknown): ApiError {
  if (error instanceof UnknownAgentError) {
    return new ApiError({
      status: 404,
      type: "not_found_error",
      code: "model_not_found",
      message: error.message,
      param: "model",
    });
  }
  // body-parser marks its own failures with a status and a type.
  const parserError = error as { type?: string; status?: number; limit?: number };
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
      message: "The request body is not valid JSON.",
    });
  }
  if (parserError?.type === "encoding.unsupported" || parserError?.type === "charset.unsupported") {
    return new ApiError({
      status: 415,
      type: "invalid_request_error",
      code: "unsupported_encoding",
      message: "The request body's encoding is not supported; send UTF-8 JSON.",
    });
  }
  return toApiError(error);
}

/** The only place that writes an error response (mid-stream errors go through `sse.ts`). */
export function errorHandler(
  error: unknown,
  req: Request,
  res: Response,
  _next: NextFunction,
): void {
  const apiError = classify(error);
  if (apiError.status >= 500) req.log.error({ err: error }, "request failed");
  else req.log.info({ status: apiError.status, code: apiError.code }, "request rejected");
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
