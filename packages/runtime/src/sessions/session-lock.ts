import { MAX_TIMER_MS } from "../config.ts";
import { SessionBusyError } from "./session-busy-error.ts";
import type { SessionKey } from "./session-store.ts";

/** The right to run one request of a session; give it back with `release()`. */
export interface SessionLease {
  /** Hands the session to the next waiter, if any. Calling it again does nothing. */
  release(): void;
  /**
   * Aborted (with the reason to report) when the lock is gone before its release: a database
   * lock whose connection died. The run must stop, since another process may take the
   * session. A lock that cannot be lost has none.
   */
  readonly lost?: AbortSignal;
}

export interface SessionLocksOptions {
  /**
   * How long a request waits for the session's current run before it gets
   * `SessionBusyError`; 0 fails at once when the session is busy.
   */
  readonly waitMs: number;
}

export interface AcquireOptions {
  /** Aborting it while waiting leaves the queue and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

interface Waiter {
  grant(): void;
}

interface SessionQueue {
  /** Requests waiting for the lease, oldest first. The holder is not in it. */
  readonly waiters: Waiter[];
}

/**
 * One run at a time per session (user, agent, session id): a second request waits in line,
 * first come first served, for up to `waitMs`, then gets `SessionBusyError` (409).
 *
 * The lock lives in this process only: enough for one runtime on SQLite (one runtime per
 * SQLite file). On Postgres, `PostgresSessionLocks` puts this queue in front of an advisory
 * lock shared by every runtime on the database.
 */
export class SessionLocks {
  readonly #waitMs: number;
  /** Only sessions with a holder have an entry; the last release deletes it. */
  readonly #sessions = new Map<string, SessionQueue>();

  constructor(options: SessionLocksOptions) {
    const { waitMs } = options;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_TIMER_MS) {
      throw new RangeError(`waitMs must be a whole number from 0 to ${MAX_TIMER_MS}`);
    }
    this.#waitMs = waitMs;
  }

  /** Sessions currently held (with or without waiters). */
  get size(): number {
    return this.#sessions.size;
  }

  acquire(key: SessionKey, options: AcquireOptions = {}): Promise<SessionLease> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = JSON.stringify([key.userId, key.agent, key.sessionId]);
    const queue = this.#sessions.get(id);
    if (queue === undefined) {
      this.#sessions.set(id, { waiters: [] });
      return Promise.resolve(this.#lease(id));
    }
    if (this.#waitMs === 0) return Promise.reject(new SessionBusyError(key.sessionId, 0));

    return new Promise<SessionLease>((resolve, reject) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        const index = queue.waiters.indexOf(waiter);
        if (index !== -1) queue.waiters.splice(index, 1);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve(this.#lease(id));
        },
      };
      const onAbort = () => {
        leave();
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        leave();
        reject(new SessionBusyError(key.sessionId, this.#waitMs));
      }, this.#waitMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      queue.waiters.push(waiter);
    });
  }

  #lease(id: string): SessionLease {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const queue = this.#sessions.get(id);
        const next = queue?.waiters[0];
        // Hand over directly, so a newcomer cannot slip in ahead of the queue.
        if (next) next.grant();
        else this.#sessions.delete(id);
      },
    };
  }
}
