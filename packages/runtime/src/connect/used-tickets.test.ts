import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../database/open-database.ts";
import { KyselyUsedTickets } from "./used-tickets.ts";

const T0 = Date.UTC(2026, 0, 1);
const dirs: string[] = [];

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-tickets-"));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("KyselyUsedTickets (SQLite file)", () => {
  it("claims a ticket once, also after the database is reopened", async () => {
    const dir = dataDir();
    const first = await openDatabase({ dataDir: dir });
    const used = new KyselyUsedTickets(first.db, { now: () => T0 });
    expect(await used.isUsed("t1")).toBe(false);
    expect(await used.claim("t1", T0 / 1000 + 900)).toBe(true);
    expect(await used.claim("t1", T0 / 1000 + 900)).toBe(false);
    expect(await used.isUsed("t1")).toBe(true);
    await first.close();

    const second = await openDatabase({ dataDir: dir });
    const again = new KyselyUsedTickets(second.db, { now: () => T0 + 1000 });
    expect(await again.isUsed("t1")).toBe(true);
    expect(await again.claim("t1", T0 / 1000 + 900)).toBe(false);
    await second.close();
  });

  it("lets exactly one of two simultaneous claims win", async () => {
    const database = await openDatabase({ dataDir: dataDir() });
    const used = new KyselyUsedTickets(database.db, { now: () => T0 });
    const results = await Promise.all([
      used.claim("t", T0 / 1000 + 60),
      used.claim("t", T0 / 1000 + 60),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    await database.close();
  });

  it("releases a claim so the ticket can be used again", async () => {
    const database = await openDatabase({ dataDir: dataDir() });
    const used = new KyselyUsedTickets(database.db, { now: () => T0 });
    await used.claim("t", T0 / 1000 + 60);
    await used.release("t");
    expect(await used.isUsed("t")).toBe(false);
    expect(await used.claim("t", T0 / 1000 + 60)).toBe(true);
    await database.close();
  });

  it("deletes rows of expired tickets on the next claim, keeping live ones", async () => {
    const database = await openDatabase({ dataDir: dataDir() });
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
