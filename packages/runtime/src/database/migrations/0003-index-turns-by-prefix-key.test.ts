import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { PrefixHasher } from "../../conversation/history-key.ts";
import { type PostgresServer, startPostgresServer } from "../../testing/postgres-server.ts";
import { migrateToLatest } from "../migrate-to-latest.ts";
import type { Database } from "../schema.ts";
import { migrations } from "./index.ts";

// The schema as it was just before 0003: later migrations must not run first (kysely refuses).
const before = Object.fromEntries(
  Object.entries(migrations).filter(([name]) => name < "0003-index-turns-by-prefix-key"),
);

let postgres: PostgresServer | undefined;
afterAll(async () => {
  await postgres?.stop();
});

describe.each(["SQLite", "Postgres"])("0003-index-turns-by-prefix-key (%s)", (engine) => {
  let db: Kysely<Database>;

  beforeEach(async () => {
    if (engine === "SQLite") {
      db = new Kysely<Database>({
        dialect: new SqliteDialect({ database: new BetterSqlite3(":memory:") }),
      });
      return;
    }
    postgres ??= await startPostgresServer();
    const pool = new pg.Pool({ connectionString: await postgres.createDatabase(), max: 1 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  });

  afterEach(async () => {
    await db.destroy();
  });

  it("gives turns written before it the keys a request computes, so old chats keep matching", async () => {
    await migrateToLatest(db, before);
    const now = new Date().toISOString();
    await db
      .insertInto("sessions")
      .values({
        id: "s1",
        user_id: "u",
        agent: "a",
        session_id: "chat",
        head_turn_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const user = (text: string) => ({ role: "user", parts: [{ text }] });
    const rows = [
      ["t1", null, [user("first")], "One."],
      ["t2", "t1", [user("second")], 'Two <details type="tool_calls">x</details>.'],
      ["t3", "t1", [user("second")], "Two, regenerated."],
      [
        "t4",
        "t2",
        [user("third"), { role: "model", parts: [{ text: "aside" }] }, user("more")],
        "Four.",
      ],
      ["t5", "missing-parent", [user("x")], "orphan"],
    ] as const;
    for (const [seq, [id, parent, input, answer]] of rows.entries()) {
      // Written as the 0001 schema had them (no prefix key yet).
      await (db as Kysely<unknown> as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto("session_turns")
        .values({
          id,
          session_pk: "s1",
          parent_id: id === "t5" ? null : parent,
          seq: seq + 1,
          input: JSON.stringify(input),
          steps: "[]",
          answer,
          status: "complete",
          prompt_tokens: 0,
          completion_tokens: 0,
          total_tokens: 0,
          created_at: now,
        })
        .execute();
    }
    // A second session longer than one backfill page (8 turns): a chain of 20.
    await db
      .insertInto("sessions")
      .values({
        id: "s2",
        user_id: "u",
        agent: "a",
        session_id: "long",
        head_turn_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (let i = 1; i <= 20; i++) {
      await (db as Kysely<unknown> as Kysely<Record<string, Record<string, unknown>>>)
        .insertInto("session_turns")
        .values({
          id: `long-${i}`,
          session_pk: "s2",
          parent_id: i === 1 ? null : `long-${i - 1}`,
          seq: i,
          input: JSON.stringify([user(`q${i}`)]),
          steps: "[]",
          answer: `a${i}`,
          status: "complete",
          prompt_tokens: 0,
          completion_tokens: 0,
          total_tokens: 0,
          created_at: now,
        })
        .execute();
    }
    await migrateToLatest(db);

    const keys = Object.fromEntries(
      (await db.selectFrom("session_turns").select(["id", "prefix_key"]).execute()).map((r) => [
        r.id,
        r.prefix_key,
      ]),
    );
    const one = new PrefixHasher().add("user", "first").add("model", "One.");
    expect(keys.t1).toBe(one.key());
    const two = one.copy().add("user", "second").add("model", "Two .");
    expect(keys.t2).toBe(two.key());
    expect(keys.t3).toBe(one.copy().add("user", "second").add("model", "Two, regenerated.").key());
    expect(keys.t4).toBe(
      two
        .copy()
        .add("user", "third")
        .add("model", "aside")
        .add("user", "more")
        .add("model", "Four.")
        .key(),
    );
    expect(keys.t5).toBe(new PrefixHasher().add("user", "x").add("model", "orphan").key());
    const long = new PrefixHasher();
    for (let i = 1; i <= 20; i++) long.add("user", `q${i}`).add("model", `a${i}`);
    expect(keys["long-20"]).toBe(long.key());
  });
});
