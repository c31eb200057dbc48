import type { NextFunction, Request, Response } from "express";
import { ApiError } from "./errors.ts";

/**
 * What a client refused during a drain is told to wait: about the time a replacement process
 * (or the next replica behind the proxy) needs to serve.
 */
export const DRAIN_RETRY_AFTER_SECONDS = 5;

/**
 * After the deadline, how long the cut runs get to store their partial answers and end their
 * streams before the database closes under them. Aborting a run is quick (the model call and
 * the tools get the signal); a tool that ignores its signal is the loop's to leave behind.
 */
export const DRAIN_SETTLE_MS = 5_000;

/** The abort reason of a run cut at the drain deadline; it maps to 503 `runtime_draining`. */
export class DrainCutError extends Error {
  override readonly name = "DrainCutError";
}

/** What a drain did: runs that finished on their own, and runs cut at the deadline. */
export interface DrainOutcome {
  readonly finished: number;
  readonly cut: number;
  /** Cut runs still not over after {@link DRAIN_SETTLE_MS}; the database closes anyway. */
  readonly abandoned: number;
}

interface TrackedRun {
  readonly controller: AbortController;
  readonly done: Promise<void>;
  readonly resolve: () => void;
}

/**
 * Graceful shutdown of the runs in flight (SIGTERM): once {@link begin} is called the runtime
 * takes no new request (503 with Retry-After, `/readyz` not ready), running answers go on up to
 * a deadline, and what is left then is aborted the way a client disconnect aborts it, so the
 * run stores its partial answer and the stream ends.
 */
export class Drain {
  readonly #runs = new Set<TrackedRun>();
  #draining = false;

  /** True from {@link begin} on: new requests are refused, readiness fails. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Runs in flight now. */
  get running(): number {
    return this.#runs.size;
  }

  /**
   * Counts a run until the returned function is called (in a `finally`). A run that slipped in
   * as the drain began is tracked all the same: it is waited for, or cut, like the others.
   */
  track(controller: AbortController): () => void {
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    const run: TrackedRun = { controller, done, resolve };
    this.#runs.add(run);
    return () => {
      this.#runs.delete(run);
      run.resolve();
    };
  }

  /** Stops taking new requests; idempotent. */
  begin(): void {
    this.#draining = true;
  }

  /**
   * Begins the drain if not begun, waits up to `deadlineMs` for the runs in flight, then cuts
   * the rest with {@link DrainCutError} and waits up to `settleMs` for them to wind down.
   */
  async settle(deadlineMs: number, settleMs: number = DRAIN_SETTLE_MS): Promise<DrainOutcome> {
    this.begin();
    const before = [...this.#runs];
    await waitFor(
      before.map((run) => run.done),
      deadlineMs,
    );
    const left = [...this.#runs];
    for (const run of left) {
      run.controller.abort(new DrainCutError("the runtime is shutting down"));
    }
    await waitFor(
      left.map((run) => run.done),
      settleMs,
    );
    const abandoned = left.filter((run) => this.#runs.has(run)).length;
    return { finished: before.length - left.length, cut: left.length, abandoned };
  }
}

/** Resolves when every promise has, or after `ms`, whichever comes first. */
async function waitFor(promises: readonly Promise<void>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(promises),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** True when `signal` was aborted by the drain deadline (not by the client going away). */
export function cutByDrain(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof DrainCutError;
}

/** Set on a refusal that ran nothing; read by the bridge (bridge/src/agentllm_bridge/replicas.py). */
export const REFUSED_HEADER = "X-AgentLLM-Refused";

/** The 503 a request gets while the runtime drains, and a run's end when cut at the deadline. */
export function drainingError(cut: boolean): ApiError {
  return new ApiError({
    status: 503,
    type: "server_error",
    code: "runtime_draining",
    message: cut
      ? `The agent runtime is shutting down and cut this answer short at its drain deadline; retry in ${DRAIN_RETRY_AFTER_SECONDS} s.`
      : `The agent runtime is shutting down and takes no new requests; retry in ${DRAIN_RETRY_AFTER_SECONDS} s.`,
    retryAfterSeconds: DRAIN_RETRY_AFTER_SECONDS,
  });
}

/** Refuses every request past the probes while draining; the connection closes after the 503. */
export function refuseWhileDraining(drain: Drain) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (!drain.draining) {
      next();
      return;
    }
    res.setHeader("Connection", "close");
    // Says "refused before running anything": the bridge may send this call to another runtime.
    // A run cut at the deadline has the same code but no such header (it did run).
    res.setHeader(REFUSED_HEADER, "draining");
    next(drainingError(false));
  };
}
