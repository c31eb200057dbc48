import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fakeEmbedding, minimalPdf } from "@agentllm/testkit";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Embedder, unit } from "./embedder.ts";
import { KnowledgeBase, KnowledgeQueryError } from "./knowledge-base.ts";
import { DEFAULT_KNOWLEDGE_LIMITS, type KnowledgeLimits } from "./knowledge-limits.ts";
import { SqliteKnowledgeIndex } from "./sqlite-knowledge-index.ts";

let dir: string;
let folder: string;
let logs: Record<string, unknown>[];
const open: SqliteKnowledgeIndex[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-knowledge-"));
  folder = path.join(dir, "knowledge");
  mkdirSync(folder);
  logs = [];
});
afterEach(async () => {
  for (const index of open.splice(0)) await index.close();
  rmSync(dir, { recursive: true, force: true });
});

const logger = () =>
  pino({ level: "debug" }, { write: (line: string) => logs.push(JSON.parse(line)) });

function countingEmbedder(fail = false): Embedder & { texts: string[] } {
  const texts: string[] = [];
  return {
    model: "fake@64",
    texts,
    async embed(batch) {
      if (fail) throw new Error("embedding service down");
      texts.push(...batch);
      return batch.map((text) => unit(fakeEmbedding(text, 64)));
    },
  };
}

function makeBase(
  options: { embedder?: Embedder; limits?: Partial<KnowledgeLimits>; now?: () => number } = {},
) {
  const index = new SqliteKnowledgeIndex(path.join(dir, "index.sqlite"));
  open.push(index);
  const base = new KnowledgeBase({
    agent: "demo",
    folder,
    index,
    logger: logger(),
    limits: { ...DEFAULT_KNOWLEDGE_LIMITS, ...options.limits },
    refreshMs: 30_000,
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { base, index };
}

const write = (name: string, content: string | Buffer) => {
  mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
  writeFileSync(path.join(folder, name), content);
};

describe("KnowledgeBase", () => {
  it("finds Markdown, CSV and PDF passages, citing file and section, hybrid with embeddings", async () => {
    write(
      "guide/billing.md",
      "# Billing\n## Refunds\nRefunds are paid within 30 days.\n## Invoices\nSent monthly.",
    );
    write("prices.csv", "plan,price\nStarter,9 credits\nPro,29 credits");
    write("manual.pdf", minimalPdf([["Welcome to the manual."], ["The reactor valve is blue."]]));
    write("notes.json", "{}");
    write(".hidden/secret.md", "# Secret\nrefunds");
    const { base } = makeBase({ embedder: countingEmbedder() });
    await base.sync();

    const refunds = await base.search("how long do refunds take?", 3);
    expect(refunds.mode).toBe("hybrid");
    expect(refunds.hits[0]).toMatchObject({
      source: "guide/billing.md",
      section: "Billing > Refunds",
    });
    expect((await base.search("Pro plan price", 1)).hits[0]).toMatchObject({
      source: "prices.csv",
      section: "rows 1-2",
    });
    expect((await base.search("valve colour", 1)).hits[0]).toMatchObject({
      source: "manual.pdf",
      section: "page 2",
    });
    const all = await base.search("refunds secret", 10);
    expect(all.hits.map((h) => h.source)).not.toContain(".hidden/secret.md");
  });

  it("searches by keywords alone without an embedder, or when embedding fails", async () => {
    write("a.md", "# Soup\nTomato soup needs basil.");
    const { base } = makeBase();
    await base.sync();
    expect(await base.search("basil", 5)).toMatchObject({
      mode: "keyword",
      hits: [{ section: "Soup" }],
    });

    const failing = makeBase({ embedder: countingEmbedder(true) });
    await failing.base.sync();
    expect(await failing.base.search("basil", 5)).toMatchObject({
      mode: "keyword",
      hits: [{ section: "Soup" }],
    });
    expect(logs.map((l) => l.msg)).toContain("embedding the query failed; keyword search only");
  });

  it("re-reads the folder only when the refresh interval has passed, and embeds unchanged text once", async () => {
    let clock = 0;
    const embedder = countingEmbedder();
    write("a.md", "# One\nalpha words");
    const { base } = makeBase({ embedder, now: () => clock });
    await base.sync();
    const embedded = embedder.texts.length;

    write("b.md", "# Two\nbeta words");
    const sources = async (query: string) =>
      (await base.search(query, 5)).hits.map((h) => h.source);
    clock = 29_999;
    expect(await sources("beta")).toEqual(["a.md"]); // the vector half always finds something
    clock = 30_000;
    expect(await sources("beta")).toEqual(["b.md", "a.md"]);

    // b.md's one chunk and the two queries; a.md is not embedded again.
    expect(embedder.texts.length).toBe(embedded + 1 + 2);
    rmSync(path.join(folder, "a.md"));
    write("b.md", "# Two\ngamma words");
    utimesSync(path.join(folder, "b.md"), new Date(0), new Date(5_000));
    clock = 60_000;
    expect(await sources("alpha")).toEqual(["b.md"]);
    expect((await base.search("gamma", 5)).hits).toMatchObject([
      { source: "b.md", text: "# Two\ngamma words" },
    ]);
  });

  it("makes a search that comes before the first indexing has finished wait for it", async () => {
    write("a.md", "# One\nalpha words");
    write("b.md", "# Two\nbeta words");
    const embedder = countingEmbedder();
    const { base } = makeBase({ embedder });
    const indexing = base.sync();
    expect((await base.search("beta", 5)).hits[0]).toMatchObject({ source: "b.md" });
    await indexing;
    // Both files' chunks in one embedding call, then the query.
    expect(embedder.texts).toHaveLength(3);
  });

  it("stops a running sync before it writes", async () => {
    write("a.md", "# One\nalpha words");
    const { base, index } = makeBase({ embedder: countingEmbedder() });
    const indexing = base.sync();
    await base.stop();
    await indexing;
    expect(await index.chunkCount()).toBe(0);
  });

  it("keeps the index (and the embedding cache) across a restart", async () => {
    write("a.md", "# One\nalpha words");
    const first = countingEmbedder();
    const one = makeBase({ embedder: first });
    await one.base.sync();
    await one.index.close();
    open.splice(open.indexOf(one.index), 1);
    const second = countingEmbedder();
    const two = makeBase({ embedder: second });
    await two.base.sync();
    expect(second.texts).toEqual([]);
    expect((await two.base.search("alpha", 1)).mode).toBe("hybrid");
  });

  it("indexes maxFiles files and warns past it", async () => {
    for (const name of ["a", "b", "c"]) write(`${name}.txt`, `file ${name}`);
    const { base, index } = makeBase({ limits: { maxFiles: 2 } });
    await base.sync();
    expect([...(await index.sources()).keys()]).toEqual(["a.txt", "b.txt"]);
    expect(logs).toContainEqual(expect.objectContaining({ maxFiles: 2, skipped: 1 }));
  });

  it("indexes a file of exactly maxFileBytes and skips a larger one with a warning", async () => {
    write("fits.txt", "x".repeat(100));
    write("big.txt", "y".repeat(101));
    const { base, index } = makeBase({ limits: { maxFileBytes: 100 } });
    await base.sync();
    expect([...(await index.sources()).keys()]).toEqual(["fits.txt"]);
    expect(logs).toContainEqual(
      expect.objectContaining({ source: "big.txt", bytes: 101, maxFileBytes: 100 }),
    );
  });

  it("stops at maxChunks with a warning naming the file", async () => {
    write("a.md", "# A\none\n# B\ntwo");
    write("b.md", "# C\nthree\n# D\nfour");
    const { base, index } = makeBase({ limits: { maxChunks: 3 } });
    await base.sync();
    expect(await index.chunkCount()).toBe(3);
    expect(logs).toContainEqual(
      expect.objectContaining({ source: "b.md", maxChunks: 3, dropped: 1 }),
    );
  });

  it("skips a file its parser cannot read, with a warning", async () => {
    write("broken.pdf", "not a pdf at all");
    write("ok.md", "# Fine\ntext");
    const { base, index } = makeBase();
    await base.sync();
    expect([...(await index.sources()).keys()]).toEqual(["ok.md"]);
    const unreadable = (l: Record<string, unknown>) =>
      l.msg === "knowledge file could not be read; not indexed" && l.source === "broken.pdf";
    expect(logs.filter(unreadable)).toHaveLength(1);
    await base.sync();
    expect(logs.filter(unreadable)).toHaveLength(1);
  });

  it("accepts a query of maxQueryChars and refuses one more, an empty one and a bad limit", async () => {
    write("a.md", "# A\ntext");
    const { base } = makeBase({ limits: { maxQueryChars: 10, maxResults: 3 } });
    await base.sync();
    await expect(base.search("x".repeat(10), 3)).resolves.toMatchObject({ mode: "keyword" });
    await expect(base.search("x".repeat(11), 1)).rejects.toThrow(
      /11 characters, more than the 10 allowed/,
    );
    await expect(base.search("   ", 1)).rejects.toThrow(KnowledgeQueryError);
    await expect(base.search("text", 4)).rejects.toThrow(/between 1 and 3/);
  });

  it("returns at most `limit` results", async () => {
    write("a.md", Array.from({ length: 8 }, (_, i) => `# S${i}\ncommon word`).join("\n"));
    const { base } = makeBase({ embedder: countingEmbedder() });
    await base.sync();
    expect((await base.search("common", 5)).hits).toHaveLength(5);
  });
});
