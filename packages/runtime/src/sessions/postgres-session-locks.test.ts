import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTestDatabases } from "../testing/test-databases.ts";
import {
  advisoryLockId,
  LOCK_APPLICATION_NAME,
  PostgresSessionLocks,
  type PostgresSessionLocksOptions,
} from "./postgres-session-locks.ts";
import { SessionBusyError } from "./session-busy-error.ts";
import type { SessionLease } from "./session-lock.ts";
import { SessionLockUnavailableError } from "./session-lock-unavailable-error.ts";
import type { SessionKey } from "./session-store.ts";

const key: SessionKey = { userId: "u1", agent: "demo-agent", sessionId: "chat-1" };
const databases = useTestDatabases("pg-locks");

let url: string;
/** The test's own look at the server: pg_locks, pg_stat_activity, pg_terminate_backend. */
let admin: pg.Client;
const opened: PostgresSessionLocks[] = [];

beforeAll(async () => {
  const options = await databases.fresh("Postgres");
  url = options.databaseUrl as string;
  admin = new pg.Client(url);
  await admin.connect();
});
afterAll(async () => {
  for (const locks of opened) await locks.close();
  await admin.end();
});

/** One "runtime": its own queue and its own lock connections on the shared database. */
function runtime(overrides: Partial<PostgresSessionLocksOptions> = {}): PostgresSessionLocks {
  const locks = new PostgresSessionLocks({
    connectionString: url,
    waitMs: 60_000,
    maxConnections: 10,
    cancelBackend: (pid) => admin.query("select pg_cancel_backend($1)", [pid]),
    ...overrides,
  });
  opened.push(locks);
  return locks;
}

/** Advisory locks on the server: granted ones and backends waiting in the queue. */
async function advisoryLocks(): Promise<{ granted: number[]; waiting: number[] }> {
  const { rows } = await admin.query<{ pid: number; granted: boolean }>(
    "select pid, granted from pg_locks where locktype = 'advisory'",
  );
  return {
    granted: rows.filter((row) => row.granted).map((row) => row.pid),
    waiting: rows.filter((row) => !row.granted).map((row) => row.pid),
  };
}

async function lockConnections(): Promise<number> {
  const { rows } = await admin.query<{ count: string }>(
    "select count(*) from pg_stat_activity where application_name = $1",
    [LOCK_APPLICATION_NAME],
  );
  return Number(rows[0]?.count);
}

/** Records the order leases arrive in. */
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

describe("PostgresSessionLocks across runtimes on one database", () => {
  it("makes the other runtime's request wait until the holder releases", async () => {
    const a = runtime();
    const b = runtime();
    const held = await a.acquire(key);
    const log: string[] = [];
    const waiting = track(b.acquire(key), log, "b");
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1));
    expect(log).toEqual([]);
    held.release();
    (await waiting).release();
    expect(log).toEqual(["b"]);
    await vi.waitFor(async () =>
      expect(await advisoryLocks()).toEqual({ granted: [], waiting: [] }),
    );
  });

  it("serves one runtime's own waiters in order, with one connection per session in the queue", async () => {
    const a = runtime();
    const b = runtime();
    const held = await a.acquire(key);
    const log: string[] = [];
    const first = track(b.acquire(key), log, "first");
    const second = track(b.acquire(key), log, "second");
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1));
    // The second waits in b's own queue, holding no connection.
    expect(b.connections).toBe(1);
    held.release();
    (await first).release();
    (await second).release();
    expect(log).toEqual(["first", "second"]);
  });

  it("gives SessionBusyError past the wait, and at once with a wait of 0", async () => {
    const a = runtime();
    const held = await a.acquire(key);
    const patient = runtime({ waitMs: 50 });
    const error = await patient.acquire(key).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionBusyError);
    expect(error).toMatchObject({ sessionId: "chat-1" });
    const impatient = runtime({ waitMs: 0 });
    await expect(impatient.acquire(key)).rejects.toMatchObject({
      name: "SessionBusyError",
      waitedMs: 0,
    });
    // Neither left a backend in the queue, and both kept their connection for the next run.
    expect((await advisoryLocks()).waiting).toEqual([]);
    expect(patient.connections).toBe(1);
    expect(impatient.connections).toBe(1);
    held.release();
    // The unlock is a query: the session is free once a's queue is empty.
    await vi.waitFor(() => expect(a.size).toBe(0));
    (await impatient.acquire(key)).release();
  });

  it("never makes different chats, users or agents wait on each other", async () => {
    const a = runtime({ waitMs: 0 });
    const b = runtime({ waitMs: 0 });
    const leases = await Promise.all([
      a.acquire(key),
      b.acquire({ ...key, userId: "u2" }),
      b.acquire({ ...key, agent: "other-agent" }),
      b.acquire({ ...key, sessionId: "chat-2" }),
      b.acquire({ userId: "u1|demo-agent", agent: "chat-1", sessionId: "" }),
    ]);
    expect((await advisoryLocks()).granted).toHaveLength(5);
    for (const lease of leases) lease.release();
  });

  it("hands the lock on when the holder's backend dies, and drops the dead connection", async () => {
    const a = runtime();
    const b = runtime();
    const held = await a.acquire(key);
    const [holder] = (await advisoryLocks()).granted;
    const waiting = b.acquire(key);
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1));
    await admin.query("select pg_terminate_backend($1)", [holder]);
    const lease = await waiting;
    expect((await advisoryLocks()).granted).not.toContain(holder);
    // The dead holder's release cannot unlock; its connection is gone, not pooled.
    held.release();
    await vi.waitFor(() => expect(a.connections).toBe(0));
    lease.release();
  });

  it("cancels the waiting backend when the request leaves, and keeps the connection", async () => {
    const a = runtime();
    const b = runtime();
    const held = await a.acquire(key);
    const controller = new AbortController();
    const reason = new Error("client went away");
    const waiting = b.acquire(key, { signal: controller.signal });
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1));
    const before = await lockConnections();
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toEqual([]));
    // Back in b's pool, idle: no connection opened or lost.
    expect(await lockConnections()).toBe(before);
    expect(b.connections).toBe(1);
    await vi.waitFor(() => expect(b.size).toBe(0));
    held.release();
    const next = await b.acquire(key);
    expect(b.connections).toBe(1);
    next.release();
  });

  it("holds at most maxConnections locks, fails clearly past it and recovers", async () => {
    const locks = runtime({ maxConnections: 2 });
    const first = await locks.acquire({ ...key, sessionId: "one" });
    const second = await locks.acquire({ ...key, sessionId: "two" });
    const error = await locks
      .acquire({ ...key, sessionId: "three" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionLockUnavailableError);
    expect(error).toMatchObject({ reason: "capacity", maxConnections: 2 });
    expect((error as Error).message).toMatch(/limit of 2 conversation locks/);
    expect(locks.connections).toBe(2);
    // The refused request left nothing behind: its session is free for the next one.
    expect(locks.size).toBe(2);
    first.release();
    await vi.waitFor(() => expect(locks.size).toBe(1));
    (await locks.acquire({ ...key, sessionId: "three" })).release();
    second.release();
    await vi.waitFor(() => expect(locks.size).toBe(0));
    expect(locks.connections).toBe(2);
  });

  it("reports an unreachable database as unavailable, not busy", async () => {
    const locks = runtime({ connectionString: "postgresql://nobody@/none?host=/nonexistent" });
    const error = await locks.acquire(key).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionLockUnavailableError);
    expect(error).toMatchObject({ reason: "database" });
    expect(locks.connections).toBe(0);
    expect(locks.size).toBe(0);
  });
});

describe("advisoryLockId", () => {
  it("is a stable signed 64-bit key per (user, agent, session)", () => {
    const id = advisoryLockId(key);
    expect(advisoryLockId({ ...key })).toBe(id);
    expect(BigInt(id)).toBeGreaterThanOrEqual(-(2n ** 63n));
    expect(BigInt(id)).toBeLessThan(2n ** 63n);
    expect(advisoryLockId({ userId: "u1|demo-agent", agent: "chat-1", sessionId: "" })).not.toBe(
      id,
    );
  });
});
