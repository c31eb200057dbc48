import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import type { AppDatabase } from "../database/app-database.ts";
import { openDatabase } from "../database/open-database.ts";
import { useTestDatabases } from "../testing/test-databases.ts";
import { describeKnowledgeIndexCases } from "./knowledge-index.case.ts";
import { fuseRanks, RRF_K } from "./knowledge-index.ts";
import { PostgresKnowledgeIndex } from "./postgres-knowledge-index.ts";
import { SqliteKnowledgeIndex } from "./sqlite-knowledge-index.ts";

it("fuses ranks: a chunk both lists rank beats one only a single list ranks first", () => {
  const scores = fuseRanks([
    [1, 2],
    [3, 2],
  ]);
  expect(scores.get(2)).toBeCloseTo(2 / (RRF_K + 2));
  expect([...scores].sort((a, b) => b[1] - a[1])[0]?.[0]).toBe(2);
});

// A file per agent in a temp dir; reopening the same agent opens the same file.
describeKnowledgeIndexCases("SQLite", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-knowledge-index-"));
  return {
    async open(agent = "demo") {
      return new SqliteKnowledgeIndex(path.join(dir, `${agent}.sqlite`));
    },
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// A real Postgres: one throwaway server for this file, a database per test; each `open` is a
// new index on the runtime's database, as after a restart.
const databases = useTestDatabases("knowledge-index");
describeKnowledgeIndexCases("Postgres", async () => {
  const database: AppDatabase = await openDatabase(await databases.fresh("Postgres"));
  return {
    async open(agent = "demo") {
      return new PostgresKnowledgeIndex(database.db, agent);
    },
    dispose: () => database.close(),
  };
});
