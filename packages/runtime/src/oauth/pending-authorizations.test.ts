import { afterEach, describe, expect, it } from "vitest";
import { type AppDatabase, openDatabase } from "../database/index.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { PendingAuthorizations } from "./pending-authorizations.ts";

const T0 = Date.UTC(2026, 0, 1);
const TTL_MS = 600_000;
const databases = useTestDatabases("oauth");
const open: AppDatabase[] = [];

afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

const signIn = (state: string) => ({
  state,
  userId: "alice",
  toolkit: "gmail",
  codeVerifier: `verifier-${state}`,
});

describe.each(ENGINES)("PendingAuthorizations (%s)", (engine) => {
  async function database(): Promise<AppDatabase> {
    const db = await openDatabase(await databases.fresh(engine));
    open.push(db);
    return db;
  }

  it("answers a state once, across a restart", async () => {
    const options = await databases.fresh(engine);
    const first = await openDatabase(options);
    await new PendingAuthorizations(first.db, { ttlMs: TTL_MS, now: () => T0 }).save(signIn("s1"));
    await first.close();
    const second = await openDatabase(options);
    open.push(second);
    const pending = new PendingAuthorizations(second.db, { ttlMs: TTL_MS, now: () => T0 });
    expect(await pending.take("s1")).toEqual(signIn("s1"));
    expect(await pending.take("s1")).toBeUndefined();
    expect(await pending.take("unknown")).toBeUndefined();
  });

  it("lets exactly one of two simultaneous callbacks take a state", async () => {
    const db = await database();
    const pending = new PendingAuthorizations(db.db, { ttlMs: TTL_MS, now: () => T0 });
    await pending.save(signIn("s"));
    const taken = await Promise.all([pending.take("s"), pending.take("s")]);
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it("honours a state until its expiry, and deletes expired ones on the next save", async () => {
    const db = await database();
    let now = T0;
    const pending = new PendingAuthorizations(db.db, { ttlMs: TTL_MS, now: () => now });
    await pending.save(signIn("old"));
    await pending.save(signIn("kept"));
    now = T0 + TTL_MS;
    expect(await pending.take("kept")).toEqual(signIn("kept"));
    await pending.save(signIn("late"));
    now = T0 + TTL_MS + 1;
    await pending.save(signIn("next"));
    const states = await db.db.selectFrom("oauth_pending").select("state").execute();
    expect(states.map((row) => row.state).sort()).toEqual(["late", "next"]);
    expect(await pending.take("late")).toEqual(signIn("late"));
  });
});
