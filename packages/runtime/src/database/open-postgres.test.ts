import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgresServer } from "../testing/postgres-server.ts";
import { migrations } from "./migrations/index.ts";
import { MAX_POOL_SIZE, openDatabase } from "./open-database.ts";

// The Postgres side of openDatabase; the store suites run their cases on both engines.
describe("openDatabase on Postgres", () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgresServer();
  });

  afterAll(async () => {
    await server.stop();
  });

  it("creates every table in the database the URL names", async () => {
    const { db, close } = await openDatabase({
      dataDir: "unused",
      databaseUrl: await server.createDatabase(),
    });
    try {
      const tables = (await db.introspection.getTables()).map((table) => table.name);
      expect(tables).toEqual(
        expect.arrayContaining([
          "sessions",
          "session_turns",
          "user_settings",
          "credentials",
          "connect_tickets_used",
          "oauth_pending",
          "pending_approvals",
          "connect_rate_limits",
        ]),
      );
    } finally {
      await close();
    }
  });

  it("enforces that a turn's parent belongs to the same session", async () => {
    const { db, close } = await openDatabase({
      dataDir: "unused",
      databaseUrl: await server.createDatabase(),
    });
    try {
      const now = new Date().toISOString();
      const session = (id: string) => ({
        id,
        user_id: "u",
        agent: "a",
        session_id: id,
        head_turn_id: null,
        created_at: now,
        updated_at: now,
      });
      const turn = (id: string, sessionPk: string, parentId: string | null) => ({
        id,
        session_pk: sessionPk,
        parent_id: parentId,
        seq: 1,
        prefix_key: `key-${id}`,
        input: "[]",
        steps: "[]",
        answer: "",
        status: "complete" as const,
        prompt_tokens: 0,
        completion_tokens: 0,
        total_tokens: 0,
        created_at: now,
      });
      await db
        .insertInto("sessions")
        .values([session("s1"), session("s2")])
        .execute();
      await db
        .insertInto("session_turns")
        .values(turn("t1", "s1", null))
        .execute();
      await expect(
        db
          .insertInto("session_turns")
          .values(turn("t2", "s2", "t1"))
          .execute(),
      ).rejects.toThrow(/foreign key/i);
    } finally {
      await close();
    }
  });

  it("runs migrations once and reopens an existing database without redoing them", async () => {
    const databaseUrl = await server.createDatabase();
    for (let i = 0; i < 3; i++) {
      const { db, close } = await openDatabase({ dataDir: "unused", databaseUrl });
      try {
        const { rows } = await sql<{
          name: string;
        }>`select name from kysely_migration order by name`.execute(db);
        expect(rows.map((row) => row.name)).toEqual(Object.keys(migrations));
      } finally {
        await close();
      }
    }
  });

  it("runs concurrent transactions on a pool of one connection, and at the largest size", async () => {
    for (const poolSize of [1, MAX_POOL_SIZE]) {
      const database = await openDatabase({
        dataDir: "unused",
        databaseUrl: await server.createDatabase(),
        poolSize,
      });
      try {
        const counts = await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            database.db.transaction().execute(async (trx) => {
              await trx
                .insertInto("user_settings")
                .values({ user_id: "u", namespace: "n", key: `k${i}`, value: "v", updated_at: "" })
                .execute();
              return (await trx.selectFrom("user_settings").select("key").execute()).length;
            }),
          ),
        );
        expect(counts).toHaveLength(5);
      } finally {
        await database.close();
      }
    }
  });

  it("refuses a pool size past its bounds", async () => {
    for (const poolSize of [0, MAX_POOL_SIZE + 1, 1.5]) {
      await expect(
        openDatabase({ dataDir: "unused", databaseUrl: "postgres://u@/x", poolSize }),
      ).rejects.toThrow(`from 1 to ${MAX_POOL_SIZE}`);
    }
  });

  it("refuses a URL of another engine without echoing it", async () => {
    const error = await openDatabase({
      dataDir: "unused",
      databaseUrl: "mysql://u:SECRET@db/x",
    }).catch((e: unknown) => e);
    expect(String(error)).toContain("postgres://");
    expect(String(error)).not.toContain("SECRET");
  });

  it("fails, not hangs, when no server answers or the database is missing, naming neither password", async () => {
    await expect(
      openDatabase({
        dataDir: "unused",
        databaseUrl: "postgresql://u:SECRET@/x?host=/nonexistent",
      }),
    ).rejects.toThrow(/^cannot open the Postgres database of DATABASE_URL: (?!.*SECRET)/);
    const url = (await server.createDatabase()).replace(/\/test_\w+/, "/no_such_db");
    await expect(openDatabase({ dataDir: "unused", databaseUrl: url })).rejects.toThrow(
      /^cannot open the Postgres database of DATABASE_URL: .*no_such_db/,
    );
  });

  it("can be closed twice", async () => {
    const database = await openDatabase({
      dataDir: "unused",
      databaseUrl: await server.createDatabase(),
    });
    await database.close();
    await expect(database.close()).resolves.toBeUndefined();
  });
});
