import { SessionBusyError } from "../sessions/session-busy-error.ts";
import type { SessionLease, SessionLocks } from "../sessions/session-lock.ts";
import type { SessionKey } from "../sessions/session-store.ts";
import type { RuntimeMetrics } from "./runtime-metrics.ts";

type Locks = Pick<SessionLocks, "acquire">;

/**
 * The same locks, timing each wait (granted, refused or aborted) and counting the refusals
 * that become 409 `session_busy`. Nothing of the session key reaches a label.
 */
export function timedLocks(locks: Locks, metrics: RuntimeMetrics): Locks {
  return {
    async acquire(key: SessionKey, options): Promise<SessionLease> {
      const startedAt = performance.now();
      try {
        return await locks.acquire(key, options);
      } catch (error) {
        if (error instanceof SessionBusyError) metrics.sessionBusy.inc();
        throw error;
      } finally {
        metrics.lockWait.observe((performance.now() - startedAt) / 1000);
      }
    },
  };
}
