import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, expect, it } from "vitest";
import { fuseRanks, RRF_K } from "./knowledge-index.ts";
import { ftsQuery, SqliteKnowledgeIndex } from "./sqlite-knowledge-index.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-knowledge-index-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const v = (...values: number[]) => Float32Array.from(values);
const chunk = (section: string, text: string, vector?: Float32Array) => ({
  source: "a.md",
  section,
  text,
  hash: `${section}:${text}`,
  ...(vector ? { vector } : {}),
});

it("turns a question into quoted words joined by OR, so FTS5 syntax in it is plain text", () => {
  expect(ftsQuery('What is "NEAR" AND refunds* (today)?')).toBe(
    '"what" OR "is" OR "near" OR "and" OR "refunds" OR "today"',
  );
  expect(ftsQuery("?!")).toBeUndefined();
  expect(ftsQuery("w ".repeat(40))?.split(" OR ")).toHaveLength(32);
});

it("fuses ranks: a chunk both lists rank beats one only a single list ranks first", () => {
  const scores = fuseRanks([
    [1, 2],
    [3, 2],
  ]);
  expect(scores.get(2)).toBeCloseTo(2 / (RRF_K + 2));
  expect([...scores].sort((a, b) => b[1] - a[1])[0]?.[0]).toBe(2);
});

it("finds by keyword (stemmed) and by vector, replaces and removes a source's chunks", async () => {
  const index = new SqliteKnowledgeIndex(path.join(dir, "k.sqlite"));
  await index.replaceSource("a.md", "h1", [
    chunk("Refunds", "Refunded as store credit", v(1, 0)),
    chunk("Shipping", "Couriers only", v(0, 1)),
  ]);
  expect((await index.search({ text: "refund", limit: 5 })).map((h) => h.section)).toEqual([
    "Refunds",
  ]);
  const byVector = await index.search({ text: "zzz", vector: v(0, 1), limit: 1 });
  expect(byVector.map((h) => h.section)).toEqual(["Shipping"]);

  await index.replaceSource("a.md", "h2", [chunk("Shipping", "Couriers only", v(0, 1))]);
  expect(await index.sources()).toEqual(new Map([["a.md", { hash: "h2", chunks: 1 }]]));
  expect(await index.search({ text: "refund", vector: v(1, 0), limit: 5 })).toMatchObject([
    { section: "Shipping" },
  ]);
  await index.removeSource("a.md");
  expect(await index.chunkCount()).toBe(0);
  expect(await index.search({ text: "couriers", vector: v(0, 1), limit: 5 })).toEqual([]);
  await index.close();
});

it("keeps vectors and cached embeddings across a reopen, prunes unused ones, rebuilds an old schema", async () => {
  const file = path.join(dir, "k.sqlite");
  const first = new SqliteKnowledgeIndex(file);
  await first.replaceSource("a.md", "h", [chunk("One", "alpha", v(0, 1))]);
  await first.cacheVectors(
    "m",
    new Map([
      ["One:alpha", v(0, 1)],
      ["gone", v(1, 0)],
    ]),
  );
  await first.pruneVectors();
  await first.close();

  const second = new SqliteKnowledgeIndex(file);
  expect(await second.search({ text: "zzz", vector: v(0, 1), limit: 1 })).toMatchObject([
    { section: "One" },
  ]);
  expect([...(await second.cachedVectors("m", ["One:alpha", "gone"])).keys()]).toEqual([
    "One:alpha",
  ]);
  await second.close();

  const raw = new Database(file);
  raw.pragma("user_version = 0");
  raw.close();
  const third = new SqliteKnowledgeIndex(file);
  expect(await third.chunkCount()).toBe(0);
  await third.close();
});
