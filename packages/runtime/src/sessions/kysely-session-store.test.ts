import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../database/open-database.ts";
import { KyselySessionStore } from "./kysely-session-store.ts";
import { describeSessionStoreCases } from "./session-store.case.ts";

// A real database file per test, so reopen tests exercise the same path as a restart.
describeSessionStoreCases("SQLite", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-sessions-"));
  return {
    async open() {
      const database = await openDatabase({ dataDir });
      return { store: new KyselySessionStore(database.db), close: () => database.close() };
    },
    async dispose() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
