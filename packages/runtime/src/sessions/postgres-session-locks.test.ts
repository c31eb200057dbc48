import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
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

/** vi.waitFor polls for a state; the shared machine can be slow to reach it. */
const PATIENCE = { timeout: 30_000, interval: 20 };
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
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1), PATIENCE);
    expect(log).toEqual([]);
    held.release();
    (await waiting).release();
    expect(log).toEqual(["b"]);
    await vi.waitFor(
      async () => expect(await advisoryLocks()).toEqual({ granted: [], waiting: [] }),
      PATIENCE,
    );
  });

  it("serves one runtime's own waiters in order, with one waiter connection per session in the queue", async () => {
    const a = runtime();
    const b = runtime();
    const held = await a.acquire(key);
    const log: string[] = [];
    const first = track(b.acquire(key), log, "first");
    const second = track(b.acquire(key), log, "second");
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1), PATIENCE);
    // The second waits in b's own queue, holding no connection: b has its shared connection
    // (where it tried the lock) and the first one's waiter connection.
    expect(b.connections).toBe(2);
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
    // Neither left a backend in the queue; the patient one kept its waiter connection for the
    // next busy chat, the impatient one never opened one (its shared connection only).
    expect((await advisoryLocks()).waiting).toEqual([]);
    expect(patient.connections).toBe(2);
    expect(impatient.connections).toBe(1);
    held.release();
    // The unlock is a query: the session is free once a's queue is empty.
    await vi.waitFor(() => expect(a.size).toBe(0), PATIENCE);
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

  it("holds every free chat on one shared connection, however many run at once", async () => {
    const before = await lockConnections();
    const locks = runtime({ waitMs: 0 });
    const leases = await Promise.all(
      Array.from({ length: 20 }, (_, chat) => locks.acquire({ ...key, sessionId: `many-${chat}` })),
    );
    const { granted } = await advisoryLocks();
    expect(granted).toHaveLength(20);
    expect(new Set(granted).size).toBe(1);
    expect(locks.connections).toBe(1);
    expect(await lockConnections()).toBe(before + 1);
    // Held, as far as every other runtime can tell.
    await expect(runtime({ waitMs: 0 }).acquire({ ...key, sessionId: "many-7" })).rejects.toThrow(
      SessionBusyError,
    );
    for (const lease of leases) lease.release();
    await vi.waitFor(() => expect(locks.size).toBe(0), PATIENCE);
    expect(await advisoryLocks()).toEqual({ granted: [], waiting: [] });
    expect(locks.connections).toBe(1);
  });

  it("never lets two leases of one chat in one process overlap on the shared connection", async () => {
    // Advisory locks are re-entrant per backend: only the process's own queue keeps a second
    // lease of the chat from being granted on the shared connection beside the first.
    const locks = runtime();
    const other = runtime({ waitMs: 0 });
    let inside = 0;
    const overlaps: number[] = [];
    const run = async () => {
      const lease = await locks.acquire(key);
      inside++;
      overlaps.push(inside);
      // Still held for the whole lease, as another runtime sees it.
      await expect(other.acquire(key)).rejects.toThrow(SessionBusyError);
      inside--;
      lease.release();
    };
    await Promise.all(Array.from({ length: 5 }, run));
    expect(overlaps).toEqual([1, 1, 1, 1, 1]);
    // Every lock taken was unlocked as often: the chat is free for the other runtime.
    await vi.waitFor(() => expect(locks.size).toBe(0), PATIENCE);
    expect(await advisoryLocks()).toEqual({ granted: [], waiting: [] });
    (await other.acquire(key)).release();
    expect(locks.connections).toBe(1);
  });

  it("reports every lease on a terminated shared connection lost, hands those chats on and opens a new one", async () => {
    let lost = 0;
    const a = runtime({ onLost: () => lost++ });
    const b = runtime();
    const chats = ["dead-1", "dead-2", "dead-3"].map((sessionId) => ({ ...key, sessionId }));
    const held = await Promise.all(chats.map((chat) => a.acquire(chat)));
    const [shared] = (await advisoryLocks()).granted;
    const waiting = chats.map((chat) => b.acquire(chat));
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(3), PATIENCE);
    await admin.query("select pg_terminate_backend($1)", [shared]);
    const taken = await Promise.all(waiting);
    await vi.waitFor(() => expect(a.connections).toBe(0), PATIENCE);
    expect(lost).toBe(3);
    // Each run holding one is told to stop, with the reason its client gets.
    for (const lease of held) {
      expect(lease.lost?.aborted).toBe(true);
      expect(lease.lost?.reason).toMatchObject({
        name: "SessionLockUnavailableError",
        reason: "lost",
      });
    }
    for (const lease of taken) expect(lease.lost?.aborted).toBe(false);
    // The dead leases' releases report nothing more and free nothing of b's.
    for (const lease of held) lease.release();
    await vi.waitFor(() => expect(a.size).toBe(0), PATIENCE);
    expect(lost).toBe(3);
    expect((await advisoryLocks()).granted).toHaveLength(3);
    // The next run gets a new shared connection.
    const next = await a.acquire({ ...key, sessionId: "after-death" });
    expect(a.connections).toBe(1);
    const { granted } = await advisoryLocks();
    expect(granted).toHaveLength(4);
    expect(granted).not.toContain(shared);
    next.release();
    for (const lease of taken) lease.release();
    await vi.waitFor(() => expect(b.size + a.size).toBe(0), PATIENCE);
  });

  it("hands the lock on when the holder's backend dies, and drops the dead connection", async () => {
    let lost = 0;
    const a = runtime({ onLost: () => lost++ });
    const b = runtime();
    const held = await a.acquire(key);
    const [holder] = (await advisoryLocks()).granted;
    const waiting = b.acquire(key);
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1), PATIENCE);
    await admin.query("select pg_terminate_backend($1)", [holder]);
    const lease = await waiting;
    expect((await advisoryLocks()).granted).not.toContain(holder);
    // The dead holder's release cannot unlock; its connection is gone, not pooled.
    held.release();
    await vi.waitFor(() => expect(a.connections).toBe(0), PATIENCE);
    // Reported once, whether the death or the failed unlock was seen first.
    expect(lost).toBe(1);
    expect(held.lost?.aborted).toBe(true);
    lease.release();
  });

  it("frees the lock of a holder process killed with SIGKILL", async () => {
    // Another process holds the lock through this module, then dies without releasing it.
    const module = new URL("./postgres-session-locks.ts", import.meta.url).href;
    const script = `
      import { PostgresSessionLocks } from ${JSON.stringify(module)};
      const locks = new PostgresSessionLocks({
        connectionString: process.env.LOCK_URL, waitMs: 0, maxConnections: 1,
        cancelBackend: async () => {},
      });
      await locks.acquire(${JSON.stringify(key)});
      process.stdout.write("held\\n");
      setInterval(() => {}, 1000);
    `;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: fileURLToPath(new URL("../../../../", import.meta.url)),
        env: { ...process.env, LOCK_URL: url },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exited = once(child, "exit");
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on("data", (data: Buffer) => {
          if (data.toString().includes("held")) resolve();
        });
        child.once("exit", () => reject(new Error("the holder process exited early")));
      });
      const other = runtime();
      const waiting = other.acquire(key);
      await vi.waitFor(
        async () => expect((await advisoryLocks()).waiting).toHaveLength(1),
        PATIENCE,
      );
      child.kill("SIGKILL");
      (await waiting).release();
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
  });

  it("cancels the waiting backend when the request leaves, and keeps the connection", async () => {
    const a = runtime();
    const b = runtime();
    const held = await a.acquire(key);
    const controller = new AbortController();
    const reason = new Error("client went away");
    const waiting = b.acquire(key, { signal: controller.signal });
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1), PATIENCE);
    const before = await lockConnections();
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toEqual([]), PATIENCE);
    // The waiter connection is back in b's pool, idle: no connection opened or lost.
    expect(await lockConnections()).toBe(before);
    expect(b.connections).toBe(2);
    await vi.waitFor(() => expect(b.size).toBe(0), PATIENCE);
    held.release();
    await vi.waitFor(() => expect(a.size).toBe(0), PATIENCE);
    // Free now: taken on the shared connection, the idle waiter kept for later.
    const next = await b.acquire(key);
    expect(b.connections).toBe(2);
    next.release();
  });

  it("opens at most maxConnections waiter connections, fails clearly past it and recovers", async () => {
    const holder = runtime();
    const chats = ["one", "two", "three"].map((sessionId) => ({ ...key, sessionId }));
    const held = await Promise.all(chats.map((chat) => holder.acquire(chat)));
    const locks = runtime({ maxConnections: 2 });
    const log: string[] = [];
    const one = track(locks.acquire(chats[0] as SessionKey), log, "one");
    const two = track(locks.acquire(chats[1] as SessionKey), log, "two");
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(2), PATIENCE);
    const error = await locks.acquire(chats[2] as SessionKey).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionLockUnavailableError);
    expect(error).toMatchObject({ reason: "capacity", maxConnections: 2 });
    expect((error as Error).message).toMatch(/limit of 2 conversation locks/);
    // Two waiters and the shared connection.
    expect(locks.connections).toBe(3);
    // The refused request left nothing behind: its session is free for the next one.
    expect(locks.size).toBe(2);
    expect(log).toEqual([]);
    held[0]?.release();
    (await one).release();
    await vi.waitFor(() => expect(locks.size).toBe(1), PATIENCE);
    // The freed waiter connection serves the next busy chat.
    const three = track(locks.acquire(chats[2] as SessionKey), log, "three");
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(2), PATIENCE);
    expect(locks.connections).toBe(3);
    // One chat at a time: the two waits are for different chats, so freed together they
    // could be granted in either order.
    held[1]?.release();
    (await two).release();
    held[2]?.release();
    (await three).release();
    expect(log).toEqual(["one", "two", "three"]);
    await vi.waitFor(() => expect(locks.size).toBe(0), PATIENCE);
    expect(locks.connections).toBe(3);
    // Free chats take no waiter connection, whatever the bound.
    const free = await Promise.all(
      ["four", "five", "six"].map((sessionId) => locks.acquire({ ...key, sessionId })),
    );
    expect(locks.connections).toBe(3);
    for (const lease of free) lease.release();
  });

  it("at the bound, waits for a waiter connection that is still unlocking instead of refusing", async () => {
    const holder = runtime();
    const first = await holder.acquire({ ...key, sessionId: "one" });
    const second = await holder.acquire({ ...key, sessionId: "two" });
    const locks = runtime({ maxConnections: 1 });
    const waiting = locks.acquire({ ...key, sessionId: "one" });
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1), PATIENCE);
    first.release();
    const lease = await waiting;
    // The unlock is a query under way when the next run, already admitted, asks.
    lease.release();
    const next = locks.acquire({ ...key, sessionId: "two" });
    await vi.waitFor(async () => expect((await advisoryLocks()).waiting).toHaveLength(1), PATIENCE);
    expect(locks.connections).toBe(2);
    second.release();
    (await next).release();
  });

  it.each([0, 1.5, Number.NaN])("rejects maxConnections %s", (maxConnections) => {
    expect(() => runtime({ maxConnections })).toThrow(RangeError);
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
