/**
 * What went wrong on the model provider's side, in the runtime's own words. The HTTP layer maps
 * each to a status (`http/error-handler.ts`): a client retries a rate limit or an outage, while
 * a broken stream says the model side failed.
 */
export type ModelProviderFailure =
  /** 429 after our own retries. */
  | "rate_limited"
  /** The provider refused the request as invalid (its 400). */
  | "rejected_request"
  /** The provider refused the runtime's key (401/403): the operator's problem, not the user's. */
  | "auth_failed"
  /** 503. */
  | "unavailable"
  /** The provider's 504, or our first-chunk / idle timeout. */
  | "timeout"
  /** Any other HTTP failure of the provider. */
  | "failed"
  /** No HTTP answer at all (DNS, refused, reset). */
  | "connection_failed"
  /** The stream ended without a finish reason. */
  | "stream_incomplete";

export interface ModelProviderErrorOptions {
  /** Seconds the provider asked us to wait (Gemini's RetryInfo), passed on as `Retry-After`. */
  readonly retryAfterSeconds?: number | undefined;
  readonly cause?: unknown;
}

/** A model call failed; the message is safe to show (no keys, no request content). */
export class ModelProviderError extends Error {
  override readonly name = "ModelProviderError";
  readonly failure: ModelProviderFailure;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    failure: ModelProviderFailure,
    message: string,
    options: ModelProviderErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.failure = failure;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
