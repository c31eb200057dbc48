import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrations } from "./migrations/index.ts";
import { DATABASE_FILE_NAME, openDatabase } from "./open-database.ts";

describe("openDatabase", () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-db-"));
  });

  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("creates a missing data directory and the database file in it", async () => {
    const dataDir = path.join(root, "nested", "data");
    const database = await openDatabase({ dataDir });
    await database.close();
    expect(fs.existsSync(path.join(dataDir, DATABASE_FILE_NAME))).toBe(true);
  });

  it("keeps a new data directory and the database file private to the runtime's user", async () => {
    const dataDir = path.join(root, "private");
    const database = await openDatabase({ dataDir });
    await database.close();
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dataDir, DATABASE_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it("tightens a database file others could read", async () => {
    const file = path.join(root, DATABASE_FILE_NAME);
    fs.writeFileSync(file, "");
    fs.chmodSync(file, 0o644);
    const database = await openDatabase({ dataDir: root });
    await database.close();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("sets the pragmas on the connection", async () => {
    const { db, close } = await openDatabase({ dataDir: root });
    try {
      const pragma = async (name: string) => {
        const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(db);
        return Object.values(rows[0] ?? {})[0];
      };
      expect(await pragma("journal_mode")).toBe("wal");
      expect(await pragma("synchronous")).toBe(1); // NORMAL
      expect(await pragma("foreign_keys")).toBe(1);
      expect(await pragma("busy_timeout")).toBe(5000);
    } finally {
      await close();
    }
  });

  it("creates every table", async () => {
    const { db, close } = await openDatabase({ dataDir: root });
    try {
      const tables = (await db.introspection.getTables()).map((table) => table.name);
      expect(tables).toEqual(
        expect.arrayContaining(["sessions", "session_turns", "user_settings", "credentials"]),
      );
    } finally {
      await close();
    }
  });

  it("enforces that a turn's parent belongs to the same session", async () => {
    const { db, close } = await openDatabase({ dataDir: root });
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
      const turn = (id: string, sessionPk: string, parentId: string | null, seq: number) => ({
        id,
        session_pk: sessionPk,
        parent_id: parentId,
        seq,
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
        .values(turn("t1", "s1", null, 1))
        .execute();
      await expect(
        db
          .insertInto("session_turns")
          .values(turn("t2", "s2", "t1", 1))
          .execute(),
      ).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await close();
    }
  });

  it("runs migrations once and reopens an existing file without redoing them", async () => {
    for (let i = 0; i < 3; i++) {
      const { db, close } = await openDatabase({ dataDir: root });
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

  it("can be closed twice", async () => {
    const database = await openDatabase({ dataDir: root });
    await database.close();
    await expect(database.close()).resolves.toBeUndefined();
  });
});
