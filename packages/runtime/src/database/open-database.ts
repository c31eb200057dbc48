import { chmod, mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { AppDatabase } from "./app-database.ts";
import { migrateToLatest } from "./migrate-to-latest.ts";
import type { Database } from "./schema.ts";

export const DATABASE_FILE_NAME = "agentllm.db";

/** How long a write waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/** Connections the runtime keeps to Postgres when `AGENTLLM_DATABASE_POOL_SIZE` is unset. */
export const DEFAULT_POOL_SIZE = 10;
/** A Postgres server allows 100 connections by default, shared by every replica. */
export const MAX_POOL_SIZE = 100;
/** How long a query waits for a free pooled connection, and a new connection to open. */
const POOL_WAIT_MS = 10_000;

export interface DatabaseOptions {
  /** Where the SQLite file lives (and, on SQLite, the knowledge indexes). */
  readonly dataDir: string;
  /** `postgres://` or `postgresql://`: use that Postgres database instead of the SQLite file. */
  readonly databaseUrl?: string | undefined;
  /** Postgres only: at most this many connections (1..MAX_POOL_SIZE). */
  readonly poolSize?: number | undefined;
}

/** Whether `url` names a Postgres database (the only engine besides the default SQLite). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(url);
}

/**
 * Opens the runtime's database, migrates it to the latest schema and returns it: Postgres when
 * `databaseUrl` is given, else (creating it if needed) the SQLite file `${dataDir}/agentllm.db`.
 * Throws `MigrationFailedError` if a migration fails.
 *
 * This is the only file that knows the engines (better-sqlite3, pg); both return the same
 * `AppDatabase` and run the same migrations.
 */
export async function openDatabase(options: DatabaseOptions): Promise<AppDatabase> {
  if (options.databaseUrl !== undefined) {
    return openPostgres(options.databaseUrl, options.poolSize ?? DEFAULT_POOL_SIZE);
  }
  const { dataDir } = options;
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

  return migrated(new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }));
}

async function openPostgres(url: string, poolSize: number): Promise<AppDatabase> {
  if (!isPostgresUrl(url)) {
    // Never echo the URL: it usually carries the password.
    throw new Error("DATABASE_URL must start with postgres:// or postgresql://");
  }
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > MAX_POOL_SIZE) {
    throw new RangeError(
      `the Postgres pool size must be a whole number from 1 to ${MAX_POOL_SIZE}`,
    );
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: POOL_WAIT_MS,
  });
  // An idle pooled connection the server drops (restart, failover) must not crash the process;
  // the next query opens a new one.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    // pg's messages name the host, user or database at most, never the password.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open the Postgres database of DATABASE_URL: ${reason}`, {
      cause: error,
    });
  }
  return migrated(db);
}

async function migrated(db: Kysely<Database>): Promise<AppDatabase> {
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
