import type { GenerateContentParameters, GenerateContentResponse } from "@google/genai";
import { ModelProviderError } from "../../errors/model-provider-error.ts";
import type { ModelClient } from "./gemini-stream.ts";

export interface ModelTimeouts {
  /** From the call until the first chunk (connecting and the model's thinking included). */
  readonly firstChunkMs: number;
  /** Longest silence between two chunks once the stream has started. */
  readonly idleMs: number;
}

/**
 * Bounds how long a model call may stay silent. The request is aborted (through a signal
 * merged into `config.abortSignal`) and the call fails with a 504 `upstream_timeout` when no
 * chunk arrives within `firstChunkMs` of the call, or when a later chunk takes longer than
 * `idleMs`. Time the caller spends between two `next()` calls does not count. The caller's
 * own abort keeps its reason; it is never reported as a timeout.
 */
export function withTimeouts(client: ModelClient, options: ModelTimeouts): ModelClient {
  const { firstChunkMs, idleMs } = options;
  return {
    async generateContentStream(
      params: GenerateContentParameters,
    ): Promise<AsyncGenerator<GenerateContentResponse>> {
      const caller = params.config?.abortSignal;
      const own = new AbortController();
      // The first of the two to abort gives the reason: the caller's, or our 504.
      const signal = caller ? AbortSignal.any([caller, own.signal]) : own.signal;
      let timer: NodeJS.Timeout | undefined;
      const arm = (ms: number, error: () => ModelProviderError) => {
        clearTimeout(timer);
        timer = setTimeout(() => own.abort(error()), ms);
        // A stream nobody reads any more must not keep the process alive.
        timer.unref();
      };
      const disarm = () => clearTimeout(timer);

      arm(firstChunkMs, () => firstChunkTimeout(firstChunkMs));
      let stream: AsyncGenerator<GenerateContentResponse>;
      try {
        stream = await untilAborted(
          client.generateContentStream({
            ...params,
            config: { ...params.config, abortSignal: signal },
          }),
          signal,
        );
      } catch (error) {
        disarm();
        throw signal.aborted ? signal.reason : error;
      }

      return (async function* timed() {
        let finished = false;
        let started = false;
        try {
          while (true) {
            // The first-chunk timer runs on from the call; later chunks get `idleMs` each.
            if (started) arm(idleMs, () => idleTimeout(idleMs));
            const next = await untilAborted(stream.next(), signal);
            disarm();
            if (next.done) {
              finished = true;
              return next.value;
            }
            started = true;
            yield next.value;
          }
        } catch (error) {
          throw signal.aborted ? signal.reason : error;
        } finally {
          disarm();
          if (!finished) {
            // Left early or failed: end the HTTP request, which leaving the SDK's loop does not.
            own.abort(new DOMException("The model stream was closed by its reader.", "AbortError"));
            // Not awaited: a client that ignores the abort would hold us here forever.
            stream.return(undefined).catch(() => {});
          }
        }
      })();
    },
  };
}

function firstChunkTimeout(ms: number): ModelProviderError {
  return new ModelProviderError(
    "timeout",
    `The model did not start answering within ${ms} ms (AGENTLLM_MODEL_TIMEOUT_MS).`,
  );
}

function idleTimeout(ms: number): ModelProviderError {
  return new ModelProviderError(
    "timeout",
    `The model's stream stalled: no output for ${ms} ms (AGENTLLM_MODEL_IDLE_TIMEOUT_MS).`,
  );
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts, whichever is first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
