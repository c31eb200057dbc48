import {
  ApiError as GeminiApiError,
  type GenerateContentParameters,
  type GenerateContentResponse,
} from "@google/genai";
import { retryAfterMs } from "../gemini-errors.ts";
import type { ModelClient } from "./gemini-stream.ts";

export interface RetryAttempt {
  /** 1 for the first retry (the second call). */
  readonly attempt: number;
  readonly delayMs: number;
  /** The upstream HTTP status; 0 for a network error. */
  readonly status: number;
}

export interface RetryOptions {
  /** Calls after the first one; 0 turns retrying off. */
  readonly retries: number;
  /** Backoff ceiling of the first retry; it doubles per retry (full jitter below it). */
  readonly baseDelayMs: number;
  /**
   * Longest wait before one retry. A server asking for more (Retry-After) gets no retry:
   * its error goes straight to the client, which can wait that long itself.
   */
  readonly maxDelayMs: number;
  /** Waits `ms`; rejects with `signal.reason` when it aborts. Tests inject one. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called before each wait, e.g. to log the retry. */
  readonly onRetry?: (info: RetryAttempt) => void;
}

/** A sensible `baseDelayMs`: waits of up to 1 s, 2 s, 4 s ... */
export const DEFAULT_RETRY_BASE_DELAY_MS = 1000;

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * Retries model calls that failed before they produced anything: the call rejecting, or its
 * stream failing before the first chunk. Once a chunk has reached the caller nothing is
 * retried, since the caller may have forwarded its text already.
 *
 * Retried: Gemini HTTP 429, 500, 502, 503, 504 and network failures. The wait is the
 * server's Retry-After when it sends one, else exponential backoff with full jitter, capped
 * at `maxDelayMs`. After the last attempt the last error is thrown as it came, so
 * `fromGeminiError` still reads its status and retry delay. An aborted request
 * (`config.abortSignal`) is never retried and rejects with the signal's reason.
 */
export function withRetries(client: ModelClient, options: RetryOptions): ModelClient {
  const { retries, baseDelayMs, maxDelayMs, onRetry } = options;
  const sleep = options.sleep ?? abortableSleep;
  return {
    async generateContentStream(
      params: GenerateContentParameters,
    ): Promise<AsyncGenerator<GenerateContentResponse>> {
      const signal = params.config?.abortSignal;
      for (let attempt = 0; ; attempt += 1) {
        if (signal?.aborted) throw signal.reason;
        try {
          const stream = await client.generateContentStream(params);
          // Pull the first chunk here: until it arrives, a failure is still safe to retry.
          const first = await stream.next();
          return prepend(first, stream);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          const status = retryableStatus(error);
          if (status === undefined || attempt >= retries) throw error;
          const asked = retryAfterMs(error);
          // The server wants a longer pause than we may take: let the client see its answer.
          if (asked !== undefined && asked > maxDelayMs) throw error;
          const delayMs = asked ?? backoffMs(attempt, baseDelayMs, maxDelayMs);
          onRetry?.({ attempt: attempt + 1, delayMs, status });
          await sleep(delayMs, signal);
        }
      }
    },
  };
}

/** The status to report for a retryable failure; undefined for one that must not be retried. */
function retryableStatus(error: unknown): number | undefined {
  if (error instanceof GeminiApiError) {
    return RETRYABLE_STATUSES.has(error.status) ? error.status : undefined;
  }
  // undici: "fetch failed" when connecting or sending fails, "terminated" when the socket
  // closes while the body is read (here: before the first chunk).
  if (error instanceof TypeError && /^(fetch failed|terminated)$/.test(error.message)) return 0;
  return undefined;
}

/** Full jitter: anywhere between 0 and base * 2^attempt, never above the cap. */
function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * ceiling);
}

/** The stream as the caller would have seen it, with its first chunk already read. */
async function* prepend(
  first: IteratorResult<GenerateContentResponse>,
  rest: AsyncGenerator<GenerateContentResponse>,
): AsyncGenerator<GenerateContentResponse> {
  if (first.done) return first.value;
  let delegated = false;
  try {
    yield first.value;
    delegated = true;
    return yield* rest;
  } finally {
    // Leaving after the first chunk: close the SDK's stream as `yield*` would have.
    if (!delegated) await rest.return(undefined);
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
