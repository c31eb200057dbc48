import type { Options } from "express-rate-limit";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../database/open-database.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { KyselyRateLimitStore, MAX_RATE_LIMIT_KEY_CHARS } from "./rate-limit-store.ts";
import { RateLimitStoreError } from "./rate-limit-store-error.ts";

const T0 = Date.UTC(2026, 0, 1);
const WINDOW = 60_000;
const databases = useTestDatabases("rate-limits");

describe.each(ENGINES)("KyselyRateLimitStore (%s)", (engine) => {
  const open = async () => openDatabase(await databases.fresh(engine));
  /** The store every case uses: prefix `ip:`, a one-minute window, the clock `now` gives. */
  const ipStore = (db: Awaited<ReturnType<typeof open>>["db"], now: () => number = () => T0) =>
    new KyselyRateLimitStore(db, { prefix: "ip:", windowMs: WINDOW, now });

  it("counts a key's hits within its window and says when the window ends", async () => {
    const database = await open();
    let now = T0;
    const store = ipStore(database.db, () => now);
    expect(await store.get("198.51.100.1")).toBeUndefined();
    expect(await store.increment("198.51.100.1")).toEqual({
      totalHits: 1,
      resetTime: new Date(T0 + WINDOW),
    });
    now = T0 + 30_000;
    expect(await store.increment("198.51.100.1")).toEqual({
      totalHits: 2,
      resetTime: new Date(T0 + WINDOW),
    });
    expect(await store.get("198.51.100.1")).toEqual({
      totalHits: 2,
      resetTime: new Date(T0 + WINDOW),
    });
    expect((await store.increment("198.51.100.2")).totalHits).toBe(1);
    await database.close();
  });

  it("starts a new window once the old one has passed", async () => {
    const database = await open();
    let now = T0;
    const store = ipStore(database.db, () => now);
    for (let i = 0; i < 3; i += 1) await store.increment("k");
    now = T0 + WINDOW - 1;
    expect((await store.increment("k")).totalHits).toBe(4);
    now = T0 + WINDOW;
    expect(await store.get("k")).toBeUndefined();
    expect(await store.increment("k")).toEqual({
      totalHits: 1,
      resetTime: new Date(T0 + 2 * WINDOW),
    });
    await database.close();
  });

  it("shares one count between two stores on one database, apart per prefix", async () => {
    const options = await databases.fresh(engine);
    const a = await openDatabase(options);
    const b = await openDatabase(options);
    const make = (db: typeof a.db, prefix: string) =>
      new KyselyRateLimitStore(db, { prefix, windowMs: WINDOW, now: () => T0 });
    const onA = make(a.db, "ip:");
    const onB = make(b.db, "ip:");
    expect((await onA.increment("k")).totalHits).toBe(1);
    expect((await onB.increment("k")).totalHits).toBe(2);
    expect((await onA.increment("k")).totalHits).toBe(3);
    expect((await make(b.db, "ticket:").increment("k")).totalHits).toBe(1);
    await a.close();
    await b.close();
  });

  it("counts every one of simultaneous increments once", async () => {
    const database = await open();
    const store = ipStore(database.db);
    const counts = await Promise.all(Array.from({ length: 10 }, () => store.increment("k")));
    expect(counts.map((count) => count.totalHits).sort((x, y) => x - y)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    await database.close();
  });

  it("deletes rows whose window has passed when it counts, keeping live ones", async () => {
    const database = await open();
    let now = T0;
    const store = ipStore(database.db, () => now);
    await store.increment("old");
    now = T0 + 10_000;
    await store.increment("live");
    now = T0 + WINDOW;
    await store.increment("new");
    const keys = await database.db.selectFrom("connect_rate_limits").select("key").execute();
    expect(keys.map((row) => row.key).sort()).toEqual(["ip:live", "ip:new"]);
    await database.close();
  });

  it("decrements within the window (not below zero) and resets a key", async () => {
    const database = await open();
    const store = ipStore(database.db);
    await store.increment("k");
    await store.increment("k");
    await store.decrement("k");
    expect((await store.get("k"))?.totalHits).toBe(1);
    await store.decrement("k");
    await store.decrement("k");
    expect((await store.get("k"))?.totalHits).toBe(0);
    await store.resetKey("k");
    expect(await store.get("k")).toBeUndefined();
    expect((await store.increment("k")).totalHits).toBe(1);
    await database.close();
  });

  it("takes the limiter's window from init", async () => {
    const database = await open();
    const store = new KyselyRateLimitStore(database.db, { prefix: "ip:", now: () => T0 });
    store.init({ windowMs: 5_000 } as Options);
    expect((await store.increment("k")).resetTime).toEqual(new Date(T0 + 5_000));
    await database.close();
  });

  it(`takes keys of ${MAX_RATE_LIMIT_KEY_CHARS} characters with the prefix, refuses longer`, async () => {
    const database = await open();
    const store = new KyselyRateLimitStore(database.db, { prefix: "ip:", now: () => T0 });
    const longest = "k".repeat(MAX_RATE_LIMIT_KEY_CHARS - "ip:".length);
    expect((await store.increment(longest)).totalHits).toBe(1);
    await expect(store.increment(`${longest}k`)).rejects.toThrow(RangeError);
    await database.close();
  });

  it("fails a count with RateLimitStoreError when the database does, without the key", async () => {
    const database = await open();
    const store = new KyselyRateLimitStore(database.db, { prefix: "ip:", now: () => T0 });
    await database.close();
    const error = await store.increment("198.51.100.7").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitStoreError);
    expect((error as Error).message).not.toContain("198.51.100.7");
    await expect(store.get("k")).rejects.toBeInstanceOf(RateLimitStoreError);
  });
});
