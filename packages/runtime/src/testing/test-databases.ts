import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import type { DatabaseOptions } from "../database/open-database.ts";
import { type PostgresServer, startPostgresServer } from "./postgres-server.ts";

/** Every engine `openDatabase` supports; store tests run once per engine. */
export const ENGINES = ["SQLite", "Postgres"] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * Call once at the top of a test file. `fresh(engine)` gives the options of a new, empty
 * database: a mkdtemp dir for SQLite, a new database on this file's throwaway Postgres server
 * (started on first use). Opening the same options again opens the same database, as a restart.
 */
export function useTestDatabases(prefix: string): {
  fresh(engine: Engine): Promise<DatabaseOptions>;
} {
  const dirs: string[] = [];
  let postgres: Promise<PostgresServer> | undefined;
  // After all, not each: a suite may open one database in beforeAll for all its tests.
  afterAll(async () => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    await (await postgres)?.stop();
  });
  return {
    async fresh(engine) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `agentllm-${prefix}-`));
      dirs.push(dataDir);
      if (engine === "SQLite") return { dataDir };
      postgres ??= startPostgresServer();
      return { dataDir, databaseUrl: await (await postgres).createDatabase() };
    },
  };
}
