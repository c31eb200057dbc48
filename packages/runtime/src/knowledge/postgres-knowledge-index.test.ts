import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fakeEmbedding } from "@agentllm/testkit";
import { sql } from "kysely";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { AppDatabase } from "../database/app-database.ts";
import { MigrationFailedError } from "../database/migration-failed-error.ts";
import { openDatabase } from "../database/open-database.ts";
import { useTestDatabases } from "../testing/test-databases.ts";
import { type Embedder, unit } from "./embedder.ts";
import { KnowledgeBase } from "./knowledge-base.ts";
import { KnowledgeBases } from "./knowledge-bases.ts";
import { chunk } from "./knowledge-index.case.ts";
import { MAX_QUERY_TERMS } from "./knowledge-index.ts";
import { DEFAULT_KNOWLEDGE_LIMITS } from "./knowledge-limits.ts";
import {
  INSERT_BATCH_ROWS,
  PostgresKnowledgeIndex,
  tsQueryText,
} from "./postgres-knowledge-index.ts";

// What only the Postgres index does: several runtimes (each its own pool) on one database.
// The cases both engines pass are in knowledge-index.case.ts.

const databases = useTestDatabases("knowledge-pg");
const opened: AppDatabase[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.close();
});

/** `count` runtimes' databases on one fresh Postgres database, and a knowledge folder. */
async function runtimes(count: number) {
  const options = await databases.fresh("Postgres");
  const handles: AppDatabase[] = [];
  for (let i = 0; i < count; i++) handles.push(await openDatabase(options));
  opened.push(...handles);
  const folder = path.join(options.dataDir, "knowledge");
  mkdirSync(folder);
  return { handles, folder };
}

const v = (...values: number[]) => Float32Array.from(values);
const embedder: Embedder = {
  model: "fake@16",
  async embed(texts) {
    return texts.map((text) => unit(fakeEmbedding(text, 16)));
  },
};
const base = (
  db: AppDatabase,
  folder: string,
  limits: Partial<typeof DEFAULT_KNOWLEDGE_LIMITS> = {},
  now: () => number = Date.now,
) =>
  new KnowledgeBase({
    now,
    agent: "demo",
    folder,
    index: new PostgresKnowledgeIndex(db.db, "demo"),
    embedder,
    logger: pino({ level: "silent" }),
    limits: { ...DEFAULT_KNOWLEDGE_LIMITS, ...limits },
    refreshMs: 30_000,
  });

it("joins a question's words with `or` for websearch_to_tsquery, at most MAX_QUERY_TERMS", () => {
  expect(tsQueryText(`Refunds: "NEAR" -tube | x?`)).toBe("refunds or near or tube or x");
  expect(tsQueryText("?!")).toBeUndefined();
  expect(tsQueryText("w ".repeat(40))?.split(" or ")).toHaveLength(MAX_QUERY_TERMS);
});

describe("two runtimes on one database", () => {
  it("index the same folder at once into one copy of each file", async () => {
    const { handles, folder } = await runtimes(2);
    for (let i = 0; i < 6; i++) {
      writeFileSync(
        path.join(folder, `file-${i}.md`),
        `# File ${i}\n## Alpha\nalpha text ${i}\n## Beta\nbeta text ${i}\n`,
      );
    }
    const [a, b] = handles.map((handle) => base(handle, folder));
    // Both start from an empty database: both also create the knowledge tables at once.
    await Promise.all([a?.sync(), b?.sync()]);

    const index = new PostgresKnowledgeIndex((handles[0] as AppDatabase).db, "demo");
    const sources = await index.sources();
    expect([...sources.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5].map((i) => `file-${i}.md`));
    expect([...sources.values()].map((source) => source.chunks)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(await index.chunkCount()).toBe(18); // a title, Alpha and Beta per file
    for (const runtime of [a, b]) {
      const { mode, hits } = (await runtime?.search("alpha text 3", 10)) ?? {};
      expect(mode).toBe("hybrid");
      const alpha3 = hits?.filter(
        (hit) => hit.source === "file-3.md" && hit.section.endsWith("Alpha"),
      );
      expect(alpha3).toHaveLength(1);
    }
  });

  it("replacing one file at once leaves exactly one of the two versions", async () => {
    const { handles } = await runtimes(2);
    const [a, b] = handles.map((handle) => new PostgresKnowledgeIndex(handle.db, "demo"));
    const version = (name: string) =>
      Array.from({ length: 20 }, (_, i) => chunk(`${name} ${i}`, `${name} text ${i}`));
    await Promise.all([
      a?.replaceSource("a.md", "one", version("one")),
      b?.replaceSource("a.md", "two", version("two")),
    ]);
    const { hash } = (await a?.sources())?.get("a.md") ?? {};
    expect(await a?.chunkCount()).toBe(20);
    const hits = (await a?.search({ text: "one two", limit: 10 })) ?? [];
    expect(hits.every((hit) => hit.section.startsWith(hash === "one" ? "one" : "two"))).toBe(true);
  });

  it("a search sees vectors another runtime wrote after its first search", async () => {
    const { handles } = await runtimes(2);
    const [a, b] = handles.map((handle) => new PostgresKnowledgeIndex(handle.db, "demo"));
    await a?.replaceSource("a.md", "1", [chunk("Old", "old", v(1, 0))]);
    expect(await a?.search({ text: "zzz", vector: v(1, 0), limit: 1 })).toMatchObject([
      { section: "Old" },
    ]);
    await b?.replaceSource("a.md", "2", [chunk("New", "new", v(0, 1))]);
    expect(await a?.search({ text: "zzz", vector: v(0, 1), limit: 1 })).toMatchObject([
      { section: "New" },
    ]);
    await b?.removeSource("a.md");
    expect(await a?.search({ text: "zzz", vector: v(0, 1), limit: 1 })).toEqual([]);
  });
});

it(`writes a file of more than twice INSERT_BATCH_ROWS (${INSERT_BATCH_ROWS}) chunks and their vectors`, async () => {
  const { handles } = await runtimes(1);
  const index = new PostgresKnowledgeIndex((handles[0] as AppDatabase).db, "demo");
  const count = INSERT_BATCH_ROWS * 2 + 1;
  const chunks = Array.from({ length: count }, (_, i) => chunk(`S${i}`, `t${i}`, v(1, i)));
  await index.replaceSource("big.md", "h", chunks);
  await index.cacheVectors("m", new Map(chunks.map((c) => [c.hash, c.vector as Float32Array])));
  expect(await index.chunkCount()).toBe(count);
  expect(
    (
      await index.cachedVectors(
        "m",
        chunks.map((c) => c.hash),
      )
    ).size,
  ).toBe(count);
});

it("keeps the knowledge limits: indexing stops at maxChunks", async () => {
  const { handles, folder } = await runtimes(1);
  writeFileSync(path.join(folder, "a.md"), "# A\none\n# B\ntwo\n# C\nthree\n");
  const limited = base(handles[0] as AppDatabase, folder, { maxChunks: 2 });
  await limited.sync();
  const index = new PostgresKnowledgeIndex((handles[0] as AppDatabase).db, "demo");
  expect(await index.chunkCount()).toBe(2);
});

it("indexes an agent again at its next check after an operator deleted its rows", async () => {
  const { handles, folder } = await runtimes(1);
  const database = handles[0] as AppDatabase;
  writeFileSync(path.join(folder, "a.md"), "# Refunds\nStore credit only.\n");
  let now = 0;
  const knowledge = base(database, folder, {}, () => now);
  await knowledge.sync();
  // What docs/operations.md tells an operator to run.
  await sql`delete from knowledge_chunks where agent = 'demo'`.execute(database.db);
  await sql`delete from knowledge_sources where agent = 'demo'`.execute(database.db);
  now += 30_000;
  expect((await knowledge.search("refunds", 3)).hits).toMatchObject([{ section: "Refunds" }]);
});

it("a knowledge migration that fails stops the start (KnowledgeBases.prepare)", async () => {
  const { handles, folder } = await runtimes(1);
  const database = handles[0] as AppDatabase;
  await sql`create table knowledge_sources (unrelated text)`.execute(database.db);
  const bases = new KnowledgeBases({
    dataDir: "unused",
    postgres: database.db,
    logger: pino({ level: "silent" }),
  });
  bases.toolkitFor("demo", folder);
  await expect(bases.prepare()).rejects.toThrow(MigrationFailedError);
  await bases.close();
});
