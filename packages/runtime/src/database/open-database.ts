import { chmod, mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type { AppDatabase } from "./app-database.ts";
import { migrateToLatest } from "./migrate-to-latest.ts";
import type { Database } from "./schema.ts";

export const DATABASE_FILE_NAME = "agentllm.db";

/** How long a write waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating it if needed) the SQLite database `${dataDir}/agentllm.db`, migrates it to
 * the latest schema and returns it. Throws `MigrationFailedError` if a migration fails.
 *
 * This is the only file that knows about better-sqlite3; a Postgres variant returns the same
 * `AppDatabase` and calls the same `migrateToLatest`.
 */
export async function openDatabase({ dataDir }: { dataDir: string }): Promise<AppDatabase> {
  const file = path.join(dataDir, DATABASE_FILE_NAME);
  await createPrivately(dataDir, file);
  const sqlite = new BetterSqlite3(file);
  try {
    // WAL lets readers (a debugging sqlite3 shell, a second runtime) run beside the writer;
    // NORMAL is durable across process crashes in WAL mode and much faster than FULL.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    // Off by default in SQLite; the turn tree's integrity relies on it.
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  } catch (error) {
    sqlite.close();
    throw error;
  }

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    db,
    close: () => {
      closing ??= db.destroy();
      return closing;
    },
  };
}

/**
 * Conversations and (encrypted) credentials live here: the folder is created 0700 and the database
 * file 0600 (SQLite gives its -wal and -shm files the database file's mode). A database file
 * that others can read is tightened; an existing folder is the operator's and left alone.
 */
async function createPrivately(dataDir: string, file: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    await (await open(file, "wx", 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // The process umask may have removed bits, never added them; an older file may be 0644.
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
}
