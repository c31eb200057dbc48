import { setTimeout as sleep } from "node:timers/promises";

export interface Settled {
  /** False when `work` was still running after `timeoutMs`. */
  readonly settled: boolean;
  /** What `work` threw, if it settled by throwing. */
  readonly error: unknown;
}

/** Runs `work` but waits at most `timeoutMs` for it, so a hanging client fails a test, not the run. */
export async function settleWithin(timeoutMs: number, work: () => Promise<void>): Promise<Settled> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      work().then(
        () => ({ settled: true, error: undefined }),
        (error: unknown) => ({ settled: true, error }),
      ),
      sleep(timeoutMs, undefined, { signal: timer.signal }).then(
        () => ({ settled: false, error: undefined }),
        () => ({ settled: false, error: undefined }),
      ),
    ]);
  } finally {
    timer.abort();
  }
}
