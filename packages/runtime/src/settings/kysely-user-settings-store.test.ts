import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { openDatabase } from "../database/open-database.ts";
import { type PostgresServer, startPostgresServer } from "../testing/postgres-server.ts";
import { KyselyUserSettingsStore } from "./kysely-user-settings-store.ts";
import { describeUserSettingsStoreCases } from "./user-settings-store.case.ts";

// A real database file per test, so the reopen case exercises the same path as a restart.
describeUserSettingsStoreCases("SQLite", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-settings-"));
  return {
    async open() {
      const database = await openDatabase({ dataDir });
      return {
        store: new KyselyUserSettingsStore(database.db),
        countRows: async () =>
          (await database.db.selectFrom("user_settings").select("key").execute()).length,
        close: () => database.close(),
      };
    },
    async dispose() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

// The same cases on a real Postgres: one throwaway server for this file, a database per test.
let postgres: PostgresServer | undefined;
afterAll(async () => {
  await postgres?.stop();
});
describeUserSettingsStoreCases("Postgres", async () => {
  postgres ??= await startPostgresServer();
  const databaseUrl = await postgres.createDatabase();
  return {
    async open() {
      const database = await openDatabase({ dataDir: "unused", databaseUrl });
      return {
        store: new KyselyUserSettingsStore(database.db),
        countRows: async () =>
          (await database.db.selectFrom("user_settings").select("key").execute()).length,
        close: () => database.close(),
      };
    },
    async dispose() {},
  };
});
