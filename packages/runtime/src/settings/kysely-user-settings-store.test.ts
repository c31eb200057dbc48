import { openDatabase } from "../database/open-database.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { KyselyUserSettingsStore } from "./kysely-user-settings-store.ts";
import { describeUserSettingsStoreCases } from "./user-settings-store.case.ts";

// A real database per test (a file, or a database on this file's throwaway Postgres), so
// the reopen case exercises the same path as a restart.
const databases = useTestDatabases("settings");
for (const engine of ENGINES) {
  describeUserSettingsStoreCases(engine, async () => {
    const options = await databases.fresh(engine);
    return {
      async open() {
        const database = await openDatabase(options);
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
}
