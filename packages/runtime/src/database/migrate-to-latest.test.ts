import BetterSqlite3 from "better-sqlite3";
import { Kysely, type Migration, SqliteDialect } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateToLatest } from "./migrate-to-latest.ts";
import { MigrationFailedError } from "./migration-failed-error.ts";
import { migrations } from "./migrations/index.ts";
import type { Database } from "./schema.ts";

describe("migrateToLatest", () => {
  let db: Kysely<Database>;

  beforeEach(() => {
    db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: new BetterSqlite3(":memory:") }),
    });
  });

  afterEach(async () => {
    await db.destroy();
  });

  it("names the migration that failed and keeps the ones before it", async () => {
    const broken: Migration = {
      async up() {
        throw new Error("boom");
      },
    };
    const error = await migrateToLatest(db, { ...migrations, "9999-broken": broken }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect(error).toMatchObject({ migrationName: "9999-broken" });
    expect((error as Error).message).toContain('"9999-broken"');
    expect((error as Error).message).toContain("boom");

    const tables = (await db.introspection.getTables()).map((table) => table.name);
    expect(tables).toEqual(expect.arrayContaining(["sessions", "user_settings"]));
  });

  it("refuses a database migrated by a newer runtime with migrations it does not know", async () => {
    await migrateToLatest(db, { ...migrations, "9999-from-the-future": { async up() {} } });
    await expect(migrateToLatest(db)).rejects.toBeInstanceOf(MigrationFailedError);
  });
});
