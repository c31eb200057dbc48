import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { chunk } from "./knowledge-index.case.ts";
import { ftsQuery, SqliteKnowledgeIndex } from "./sqlite-knowledge-index.ts";

// What only the SQLite index does; the cases both engines pass are in knowledge-index.case.ts.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-knowledge-index-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("turns a question into quoted words joined by OR, so FTS5 syntax in it is plain text", () => {
  expect(ftsQuery('What is "NEAR" AND refunds* (today)?')).toBe(
    '"what" OR "is" OR "near" OR "and" OR "refunds" OR "today"',
  );
  expect(ftsQuery("?!")).toBeUndefined();
  expect(ftsQuery("w ".repeat(40))?.split(" OR ")).toHaveLength(32);
});

it("rebuilds a file of an older schema", async () => {
  const file = path.join(dir, "k.sqlite");
  const first = new SqliteKnowledgeIndex(file);
  await first.replaceSource("a.md", "h", [chunk("One", "alpha")]);
  await first.close();
  const raw = new Database(file);
  raw.pragma("user_version = 0");
  raw.close();
  const again = new SqliteKnowledgeIndex(file);
  expect(await again.chunkCount()).toBe(0);
  await again.close();
});
