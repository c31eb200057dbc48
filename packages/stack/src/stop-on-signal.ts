import type { EventEmitter } from "node:events";

export interface StopOnSignalOptions {
  /** Stops everything, waiting up to `graceMs` before killing what still runs. */
  readonly stop: (graceMs: number) => Promise<void>;
  /** What the first signal grants answers in flight (`stopGraceMs`). */
  readonly graceMs: number;
  /** Where SIGINT and SIGTERM arrive; the process itself outside tests. */
  readonly signals?: Pick<EventEmitter, "on" | "off">;
  readonly write?: (text: string) => void;
  /** Milliseconds since some origin; the clock that tells a second Ctrl-C from a copy of the first. */
  readonly now?: () => number;
}

/**
 * One Ctrl-C reaches the launcher more than once: the terminal signals the whole foreground
 * group, and `npx` and `just` above it forward their copy. Copies arrive within milliseconds;
 * a person's second press comes later than this.
 */
export const SAME_SIGNAL_WINDOW_MS = 1_000;

/**
 * Resolves once a signal has stopped everything. The first SIGINT or SIGTERM stops gracefully:
 * answers in flight get `graceMs` to finish. A second one (at least SAME_SIGNAL_WINDOW_MS later:
 * earlier ones are copies of the first), from someone who would rather not wait, stops at once
 * (what is still running is killed and its answer cut).
 * A failed stop sets the exit code to 1.
 */
export function stopOnSignal(options: StopOnSignalOptions): Promise<void> {
  const signals = options.signals ?? process;
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const now = options.now ?? (() => performance.now());
  return new Promise((resolve) => {
    let signalled = 0;
    let firstAt = 0;
    const onSignal = () => {
      if (signalled === 1 && now() - firstAt < SAME_SIGNAL_WINDOW_MS) return;
      signalled += 1;
      if (signalled === 1) {
        firstAt = now();
        const seconds = Math.round(options.graceMs / 1000);
        write(
          `\nStopping: answers in flight get up to ${seconds} s to finish. Ctrl-C again to stop now.\n`,
        );
        options.stop(options.graceMs).then(
          () => finish(),
          (error: unknown) => {
            process.stderr.write(`stopping failed: ${(error as Error).message}\n`);
            process.exitCode = 1;
            finish();
          },
        );
      } else if (signalled === 2) {
        write("Stopping now.\n");
        // The graceful stop above resolves as soon as everything has exited.
        options.stop(0).catch(() => {});
      }
    };
    const finish = () => {
      signals.off("SIGINT", onSignal);
      signals.off("SIGTERM", onSignal);
      resolve();
    };
    signals.on("SIGINT", onSignal);
    signals.on("SIGTERM", onSignal);
  });
}
