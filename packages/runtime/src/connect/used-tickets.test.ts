import { describe, expect, it } from "vitest";
import { openDatabase } from "../database/open-database.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { KyselyUsedTickets } from "./used-tickets.ts";

const T0 = Date.UTC(2026, 0, 1);
const databases = useTestDatabases("tickets");

describe.each(ENGINES)("KyselyUsedTickets (%s)", (engine) => {
  const fresh = () => databases.fresh(engine);

  it("claims a ticket once, also after the database is reopened", async () => {
    const options = await fresh();
    const first = await openDatabase(options);
    const used = new KyselyUsedTickets(first.db, { now: () => T0 });
    expect(await used.isUsed("t1")).toBe(false);
    expect(await used.claim("t1", T0 / 1000 + 900)).toBe(true);
    expect(await used.claim("t1", T0 / 1000 + 900)).toBe(false);
    expect(await used.isUsed("t1")).toBe(true);
    await first.close();

    const second = await openDatabase(options);
    const again = new KyselyUsedTickets(second.db, { now: () => T0 + 1000 });
    expect(await again.isUsed("t1")).toBe(true);
    expect(await again.claim("t1", T0 / 1000 + 900)).toBe(false);
    await second.close();
  });

  it("lets exactly one of two simultaneous claims win", async () => {
    const database = await openDatabase(await fresh());
    const used = new KyselyUsedTickets(database.db, { now: () => T0 });
    const results = await Promise.all([
      used.claim("t", T0 / 1000 + 60),
      used.claim("t", T0 / 1000 + 60),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    await database.close();
  });

  it("releases a claim so the ticket can be used again", async () => {
    const database = await openDatabase(await fresh());
    const used = new KyselyUsedTickets(database.db, { now: () => T0 });
    await used.claim("t", T0 / 1000 + 60);
    await used.release("t");
    expect(await used.isUsed("t")).toBe(false);
    expect(await used.claim("t", T0 / 1000 + 60)).toBe(true);
    await database.close();
  });

  it("deletes rows of expired tickets on the next claim, keeping live ones", async () => {
    const database = await openDatabase(await fresh());
    let now = T0;
    const used = new KyselyUsedTickets(database.db, { now: () => now });
    await used.claim("short", T0 / 1000 + 60);
    await used.claim("long", T0 / 1000 + 900);
    now = T0 + 61_000;
    await used.claim("next", T0 / 1000 + 960);
    const ids = await database.db.selectFrom("connect_tickets_used").select("id").execute();
    expect(ids.map((row) => row.id).sort()).toEqual(["long", "next"]);
    await database.close();
  });
});
