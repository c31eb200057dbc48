/** OpenAI error `type` values the runtime uses. */
export type ApiErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "not_found_error"
  | "conflict_error"
  | "rate_limit_error"
  | "upstream_error"
  | "timeout_error"
  | "server_error";

export interface ApiErrorOptions {
  status: number;
  type: ApiErrorType;
  code: string;
  message: string;
  param?: string | null;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * A failure a client should see, with its HTTP status. Routes and the agent loop throw it;
 * only `error-handler.ts` (and the SSE writer, mid-stream) turn it into OpenAI error JSON.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly type: ApiErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(options: ApiErrorOptions) {
    super(options.message, { cause: options.cause });
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toJSON(): OpenAIErrorBody {
    return {
      error: { message: this.message, type: this.type, code: this.code, param: this.param },
    };
  }
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

/** Anything thrown becomes an ApiError; unknown failures are a 500 that hides their details. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({
    status: 500,
    type: "server_error",
    code: "internal_error",
    message: "The agent runtime failed unexpectedly; see its logs for the request id.",
    cause: error,
  });
}
