import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KnowledgeIndex, StoredChunk } from "./knowledge-index.ts";

/**
 * The cases every `KnowledgeIndex` must pass, run by knowledge-index.test.ts for SQLite and
 * Postgres. Not named `*.test.ts`: on its own it holds no tests.
 */
export interface KnowledgeIndexHarness {
  /** Opens `agent`'s index; opening it again after `close` sees the same data, as a restart. */
  open(agent?: string): Promise<KnowledgeIndex>;
  /** Removes whatever the harness created. */
  dispose(): Promise<void>;
}

const v = (...values: number[]) => Float32Array.from(values);
export const chunk = (
  section: string,
  text: string,
  vector?: Float32Array,
  source = "a.md",
): StoredChunk => ({
  source,
  section,
  text,
  hash: `${section}:${text}`,
  ...(vector ? { vector } : {}),
});

export function describeKnowledgeIndexCases(
  engine: string,
  createHarness: () => Promise<KnowledgeIndexHarness>,
): void {
  describe(`KnowledgeIndex cases (${engine})`, () => {
    let harness: KnowledgeIndexHarness;
    const opened: KnowledgeIndex[] = [];
    const open = async (agent?: string) => {
      const index = await harness.open(agent);
      opened.push(index);
      return index;
    };

    beforeEach(async () => {
      harness = await createHarness();
    });
    afterEach(async () => {
      for (const index of opened.splice(0)) await index.close();
      await harness.dispose();
    });

    it("finds by keyword (stemmed) and by vector, replaces and removes a source's chunks", async () => {
      const index = await open();
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
      expect(await index.sources()).toEqual(new Map());
      expect(await index.search({ text: "couriers", vector: v(0, 1), limit: 5 })).toEqual([]);
    });

    it("keeps vectors and cached embeddings across a reopen and prunes unused ones", async () => {
      const first = await open();
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

      const second = await open();
      expect(await second.search({ text: "zzz", vector: v(0, 1), limit: 1 })).toMatchObject([
        { section: "One" },
      ]);
      const cached = await second.cachedVectors("m", ["One:alpha", "gone"]);
      expect([...cached.keys()]).toEqual(["One:alpha"]);
      expect([...(cached.get("One:alpha") ?? [])]).toEqual([0, 1]);
      expect(await second.cachedVectors("other-model", ["One:alpha"])).toEqual(new Map());
    });

    describe("search quality", () => {
      let index: KnowledgeIndex;
      beforeEach(async () => {
        index = await open();
        await index.replaceSource("policies.md", "p", [
          chunk(
            "Quillmoor > Returns",
            "We refund an opened tube as store credit.",
            undefined,
            "policies.md",
          ),
          chunk(
            "Quillmoor > Shipping",
            "A tube ships by courier; the store is closed on Sundays.",
            undefined,
            "policies.md",
          ),
          chunk("Quillmoor > Credit", "Credit notes never expire.", undefined, "policies.md"),
        ]);
        await index.replaceSource("guide/pigments.md", "g", [
          chunk(
            "Pigments > Ultramarine",
            "A deep blue ground from lapis, sold by the tube (café grade).",
            undefined,
            "guide/pigments.md",
          ),
        ]);
      });

      it("stems: a question about refunds finds the passage that says refund", async () => {
        const hits = await index.search({ text: "refunds?", limit: 5 });
        expect(hits.map((h) => h.section)).toEqual(["Quillmoor > Returns"]);
      });

      it("ranks the passage with every word of a quoted phrase first", async () => {
        const hits = await index.search({ text: '"store credit"', limit: 5 });
        expect(hits[0]?.section).toBe("Quillmoor > Returns");
        expect(hits.map((h) => h.section)).toContain("Quillmoor > Shipping");
      });

      it("finds a word that is only in a heading", async () => {
        const hits = await index.search({ text: "ultramarine", limit: 5 });
        expect(hits.map((h) => h.source)).toEqual(["guide/pigments.md"]);
      });

      it("finds nothing for words in no passage", async () => {
        expect(await index.search({ text: "zebra giraffe", limit: 5 })).toEqual([]);
        expect(await index.search({ text: "?!", limit: 5 })).toEqual([]);
      });

      it("returns at most `limit` hits", async () => {
        expect(await index.search({ text: "tube", limit: 3 })).toHaveLength(3);
        expect(await index.search({ text: "tube", limit: 1 })).toHaveLength(1);
      });

      it("gives back source, section and text exactly as stored, for the citation", async () => {
        expect(await index.search({ text: "lapis", limit: 5 })).toEqual([
          {
            source: "guide/pigments.md",
            section: "Pigments > Ultramarine",
            text: "A deep blue ground from lapis, sold by the tube (café grade).",
            score: expect.any(Number),
          },
        ]);
      });

      it("treats query syntax of either engine as plain words", async () => {
        const hits = await index.search({
          text: `refund* AND "NEAR" (opened) OR -tube: 'x' & !y | z <-> w`,
          limit: 5,
        });
        expect(hits[0]?.section).toBe("Quillmoor > Returns");
      });
    });

    it("keeps agents apart", async () => {
      const a = await open("agent-a");
      const b = await open("agent-b");
      await a.replaceSource("a.md", "h", [chunk("Alpha", "shared word", v(1, 0))]);
      await b.replaceSource("a.md", "h", [chunk("Beta", "shared word", v(1, 0))]);
      await b.cacheVectors("m", new Map([["Beta:shared word", v(1, 0)]]));
      expect(
        (await a.search({ text: "shared", vector: v(1, 0), limit: 5 })).map((h) => h.section),
      ).toEqual(["Alpha"]);
      await a.removeSource("a.md");
      await a.pruneVectors();
      expect(await b.chunkCount()).toBe(1);
      expect((await b.cachedVectors("m", ["Beta:shared word"])).size).toBe(1);
      expect(await a.cachedVectors("m", ["Beta:shared word"])).toEqual(new Map());
    });
  });
}
