import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionBusyError } from "./session-busy-error.ts";
import { type SessionLease, SessionLocks } from "./session-lock.ts";
import type { SessionKey } from "./session-store.ts";

const key: SessionKey = { userId: "u1", agent: "demo-agent", sessionId: "chat-1" };

/** Settles pending promise callbacks (no timers run). */
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => undefined);

/** Records the order in which leases arrive. */
function track(promise: Promise<SessionLease>, log: string[], name: string) {
  return promise.then(
    (lease) => {
      log.push(name);
      return lease;
    },
    (error: unknown) => {
      log.push(`${name}:rejected`);
      throw error;
    },
  );
}

describe("SessionLocks", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("grants a free session at once and forgets it after release", async () => {
    const locks = new SessionLocks({ waitMs: 1000 });
    const lease = await locks.acquire(key);
    expect(locks.size).toBe(1);
    lease.release();
    expect(locks.size).toBe(0);
  });

  it("makes a second request wait until the first releases", async () => {
    const locks = new SessionLocks({ waitMs: 1000 });
    const first = await locks.acquire(key);
    const log: string[] = [];
    const second = track(locks.acquire(key), log, "second");
    await vi.advanceTimersByTimeAsync(500);
    expect(log).toEqual([]);
    first.release();
    (await second).release();
    expect(log).toEqual(["second"]);
    expect(locks.size).toBe(0);
  });

  it("serves waiters first come, first served", async () => {
    const locks = new SessionLocks({ waitMs: 10_000 });
    const holder = await locks.acquire(key);
    const log: string[] = [];
    const a = track(locks.acquire(key), log, "a");
    const b = track(locks.acquire(key), log, "b");
    const c = track(locks.acquire(key), log, "c");
    holder.release();
    (await a).release();
    (await b).release();
    (await c).release();
    expect(log).toEqual(["a", "b", "c"]);
    expect(locks.size).toBe(0);
  });

  it("does not let a newcomer overtake a waiter when the holder releases", async () => {
    const locks = new SessionLocks({ waitMs: 10_000 });
    const holder = await locks.acquire(key);
    const log: string[] = [];
    const waiter = track(locks.acquire(key), log, "waiter");
    holder.release();
    const newcomer = track(locks.acquire(key), log, "newcomer");
    (await waiter).release();
    (await newcomer).release();
    expect(log).toEqual(["waiter", "newcomer"]);
  });

  it("keeps sessions of other users, agents and ids apart", async () => {
    const locks = new SessionLocks({ waitMs: 0 });
    const leases = await Promise.all([
      locks.acquire(key),
      locks.acquire({ ...key, userId: "u2" }),
      locks.acquire({ ...key, agent: "other-agent" }),
      locks.acquire({ ...key, sessionId: "chat-2" }),
      // Parts that would collide if the key were joined with a separator.
      locks.acquire({ userId: "u1|demo-agent", agent: "chat-1", sessionId: "" }),
    ]);
    expect(locks.size).toBe(5);
    for (const lease of leases) lease.release();
    expect(locks.size).toBe(0);
  });

  it("fails at once with waitMs 0 when the session is busy", async () => {
    const locks = new SessionLocks({ waitMs: 0 });
    const holder = await locks.acquire(key);
    const error = await locks.acquire(key).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionBusyError);
    expect(error).toMatchObject({ name: "SessionBusyError", sessionId: "chat-1", waitedMs: 0 });
    expect((error as Error).message).toMatch(/another request for this conversation/i);
    expect((error as Error).message).toMatch(/try again when it finishes/i);
    holder.release();
    expect(locks.size).toBe(0);
    (await locks.acquire(key)).release();
  });

  it("gives a waiter SessionBusyError after waitMs, without disturbing the others", async () => {
    const locks = new SessionLocks({ waitMs: 1000 });
    const holder = await locks.acquire(key);
    const early = locks.acquire(key).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(600);
    const late = locks.acquire(key);
    await vi.advanceTimersByTimeAsync(400);
    const error = await early;
    expect(error).toBeInstanceOf(SessionBusyError);
    expect(error).toMatchObject({ sessionId: "chat-1", waitedMs: 1000 });
    // The late waiter still has 400 ms left and gets the session when the holder is done.
    holder.release();
    (await late).release();
    expect(locks.size).toBe(0);
  });

  it("times out every waiter of a session that stays busy, and keeps only the holder", async () => {
    const locks = new SessionLocks({ waitMs: 50 });
    const holder = await locks.acquire(key);
    const waiters = Array.from({ length: 20 }, () =>
      locks.acquire(key).catch((error: unknown) => error),
    );
    await vi.advanceTimersByTimeAsync(50);
    for (const outcome of await Promise.all(waiters)) {
      expect(outcome).toBeInstanceOf(SessionBusyError);
    }
    expect(locks.size).toBe(1);
    holder.release();
    expect(locks.size).toBe(0);
  });

  it("lets an aborted waiter leave the queue with the signal's reason", async () => {
    const locks = new SessionLocks({ waitMs: 10_000 });
    const holder = await locks.acquire(key);
    const log: string[] = [];
    const controller = new AbortController();
    const a = track(locks.acquire(key), log, "a");
    const aborted = track(locks.acquire(key, { signal: controller.signal }), log, "aborted");
    const c = track(locks.acquire(key), log, "c");
    const reason = new Error("client went away");
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    holder.release();
    (await a).release();
    (await c).release();
    expect(log).toEqual(["aborted:rejected", "a", "c"]);
    expect(locks.size).toBe(0);
    // Its timer was cleared: nothing fires later.
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at once, without taking the session, when the signal is already aborted", async () => {
    const locks = new SessionLocks({ waitMs: 10_000 });
    const reason = new Error("already gone");
    await expect(locks.acquire(key, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(locks.size).toBe(0);
  });

  it("ignores an abort after the lease was granted", async () => {
    const locks = new SessionLocks({ waitMs: 10_000 });
    const controller = new AbortController();
    const lease = await locks.acquire(key, { signal: controller.signal });
    controller.abort();
    expect(locks.size).toBe(1);
    lease.release();
    expect(locks.size).toBe(0);
  });

  it("treats a second release as a no-op, so it cannot free the next holder's run", async () => {
    const locks = new SessionLocks({ waitMs: 0 });
    const first = await locks.acquire(key);
    first.release();
    const second = await locks.acquire(key);
    first.release();
    expect(locks.size).toBe(1);
    await expect(locks.acquire(key)).rejects.toBeInstanceOf(SessionBusyError);
    second.release();
    second.release();
    expect(locks.size).toBe(0);
  });

  it("leaves no entry behind for finished sessions", async () => {
    const locks = new SessionLocks({ waitMs: 1000 });
    const runs = Array.from({ length: 200 }, async (_, i) => {
      const sessionKey = { ...key, sessionId: `chat-${i % 50}` };
      const lease = await locks.acquire(sessionKey);
      await flush();
      lease.release();
    });
    await Promise.all(runs);
    expect(locks.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN, 2_147_483_648])("rejects waitMs %s", (waitMs) => {
    expect(() => new SessionLocks({ waitMs })).toThrow(RangeError);
  });
});
