import type { ChildExit, ChildService } from "./child-service.ts";
import { describeExit } from "./child-service.ts";

/** When and how often the launcher restarts a service that died on its own. */
export interface RestartPolicy {
  /** Wait before the first restart; it doubles with each quick crash in a row. */
  readonly initialDelayMs: number;
  /** The longest wait between two restarts. */
  readonly maxDelayMs: number;
  /** A process that ran at least this long before it died was healthy: the backoff starts over. */
  readonly stableAfterMs: number;
  /** Quick crashes in a row (each within `stableAfterMs` of its start) it restarts; then it gives up. */
  readonly maxQuickCrashes: number;
}

/**
 * 0.5 s doubling to 15 s: a one-off crash is back within about a second (the runtime starts in
 * one to two), while a crash loop costs a restart every 15 s rather than a busy loop. After 10
 * quick crashes in a row (about 90 s of trying) the launcher gives up and says so: something
 * outside the process is wrong (configuration, database, disk) and an operator or an outer
 * supervisor (systemd, compose's restart policy) must act. A minute of uptime resets it.
 */
export const DEFAULT_RESTART_POLICY: RestartPolicy = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  stableAfterMs: 60_000,
  maxQuickCrashes: 10,
});

/** The wait before restart number `crashes` of a run of quick crashes (1 for the first). */
export function restartDelay(policy: RestartPolicy, crashes: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, crashes - 1));
}

export interface SupervisorOptions {
  /** Starts one process of the service (called again for each restart). */
  readonly start: () => ChildService;
  readonly policy: RestartPolicy;
  /** One line per exit, restart and give-up. */
  readonly log: (line: string) => void;
  /** Resolves when a restarted process serves (its readiness probe); rejects if it never does. */
  readonly ready: (service: ChildService) => Promise<void>;
  /** Called once when it stops restarting a crash loop. */
  readonly onGiveUp?: ((reason: string) => void) | undefined;
}

export interface SupervisedService {
  /** The process running now (a new one after each restart). */
  readonly current: ChildService;
  /**
   * Resolves when the first process is ready; rejects if it never gets ready. Only from then on
   * is it restarted when it dies: a first start that fails is the caller's to report.
   */
  readonly started: Promise<void>;
  /** Stops the current process and starts a new one at once; resolves when that one is ready. */
  restart(): Promise<ChildService>;
  /** Stops the current process (SIGKILL after `graceMs`); nothing is restarted afterwards. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Keeps a service running: when its process dies without being asked to (a crash, an
 * out-of-memory abort, a `kill -9`), it starts a new one after a backoff. Exits requested
 * through the process's own `stop()`/`kill()` are the owner's business and are not restarted.
 */
export function superviseService(options: SupervisorOptions): SupervisedService {
  const { policy, log } = options;
  let current = options.start();
  let closed = false;
  let quickCrashes = 0;
  let timer: NodeJS.Timeout | undefined;
  const name = current.name;

  const cancelPendingRestart = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };

  const onCrash = (service: ChildService, exit: ChildExit, upMs: number) => {
    quickCrashes = upMs >= policy.stableAfterMs ? 1 : quickCrashes + 1;
    const how = `${name} (pid ${service.process.pid}) ${describeExit(exit)} after ${seconds(upMs)}`;
    if (quickCrashes > policy.maxQuickCrashes) {
      const reason = `${how}: ${quickCrashes} crashes in a row, each within ${seconds(policy.stableAfterMs)} of its start; not restarting it again (crash loop)`;
      log(reason);
      options.onGiveUp?.(reason);
      return;
    }
    const delay = restartDelay(policy, quickCrashes);
    log(`${how}; restart ${quickCrashes} of at most ${policy.maxQuickCrashes} in ${delay} ms`);
    timer = setTimeout(() => {
      timer = undefined;
      if (closed) return;
      current = options.start();
      watch(current);
      log(`${name} restarted (pid ${current.process.pid}, restart ${quickCrashes})`);
      const restarted = current;
      options.ready(restarted).then(
        () => log(`${name} (pid ${restarted.process.pid}) is ready again`),
        (error: unknown) => {
          if (closed || restarted !== current || restarted.exitRequested) return;
          log(`${name} (pid ${restarted.process.pid}) did not get ready: ${firstLine(error)}`);
          // One that exited is handled by its watcher; one that hangs is a crash as well.
          if (restarted.process.exitCode === null && restarted.process.signalCode === null) {
            void restarted
              .kill("SIGKILL")
              .then(() => onCrash(restarted, { code: null, signal: "SIGKILL" }, 0));
          }
        },
      );
    }, delay);
  };

  const watch = (service: ChildService) => {
    const startedAt = performance.now();
    void service.exited.then((exit) => {
      if (closed || service !== current || service.exitRequested) return;
      onCrash(service, exit, performance.now() - startedAt);
    });
  };
  const first = current;
  const started = options.ready(first).then(() => watch(first));
  // The caller awaits it; this only keeps a failed start from also being an unhandled rejection.
  started.catch(() => {});

  return {
    get current() {
      return current;
    },
    started,
    async restart() {
      if (closed) throw new Error(`${name} is closed; it cannot be restarted`);
      cancelPendingRestart();
      await current.stop();
      // A crash noticed while stopping may have scheduled a restart: this one replaces it.
      cancelPendingRestart();
      if (closed) throw new Error(`${name} was closed while restarting`);
      quickCrashes = 0;
      current = options.start();
      watch(current);
      await options.ready(current);
      return current;
    },
    async close(graceMs) {
      closed = true;
      cancelPendingRestart();
      await current.stop(graceMs);
    },
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
