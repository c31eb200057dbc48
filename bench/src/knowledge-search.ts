import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SqliteKnowledgeIndex, unitVector } from "@agentllm/runtime";
import { fakeEmbedding } from "@agentllm/testkit";
import { type Summary, summarize } from "./stats.ts";

/** The search row: one agent's index of this many chunks, as a knowledge base might hold. */
export const KNOWLEDGE_CHUNKS = 1000;
/** Dimensions the runtime asks gemini-embedding-001 for (knowledge/embedder.ts). */
const DIMENSIONS = 768;

export interface KnowledgeSearchResult {
  readonly chunks: number;
  readonly searches: number;
  /** FTS5 bm25 and the cosine pass over every vector, fused: what search_knowledge runs. */
  readonly hybridMs: Summary;
  /** bm25 alone (no Gemini key). */
  readonly keywordMs: Summary;
}

const WORDS = (
  "pigment tube refund batch glaze umber sienna harbour lantern kelp brush solvent ferrule " +
  "invoice courier crown trade order swatch key limit retry studio canvas varnish ochre " +
  "cobalt madder indigo linen gesso palette knife easel primer binder resin wax sable"
).split(" ");

/** Deterministic text: section i of the made-up manual, 60 to 120 words. */
function chunkText(i: number): string {
  const words: string[] = [];
  let seed = i * 2654435761;
  const count = 60 + (i % 61);
  for (let w = 0; w < count; w++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    words.push(WORDS[seed % WORDS.length] as string);
  }
  return words.join(" ");
}

/**
 * p50/p99 of `SqliteKnowledgeIndex.search` over {@link KNOWLEDGE_CHUNKS} chunks in 20 files,
 * in process: the index's own time, without the query's embedding call (a network round trip
 * to Gemini, cached nowhere, that the tool adds on top).
 */
export async function runKnowledgeSearch(searches: number): Promise<KnowledgeSearchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "agentllm-bench-knowledge-"));
  const index = new SqliteKnowledgeIndex(path.join(dir, "bench.sqlite"));
  try {
    const perFile = KNOWLEDGE_CHUNKS / 20;
    for (let file = 0; file < 20; file++) {
      const chunks = Array.from({ length: perFile }, (_, k) => {
        const i = file * perFile + k;
        const text = chunkText(i);
        return {
          source: `manual-${file}.md`,
          section: `Part ${file} > Section ${k}`,
          text,
          hash: String(i),
          vector: unitVector(fakeEmbedding(text, DIMENSIONS)),
        };
      });
      await index.replaceSource(`manual-${file}.md`, String(file), chunks);
    }
    const queries = Array.from({ length: 50 }, (_, q) => {
      const text = `${WORDS[q % WORDS.length]} ${WORDS[(q * 7 + 3) % WORDS.length]} for the studio`;
      return { text, vector: unitVector(fakeEmbedding(text, DIMENSIONS)) };
    });
    const time = async (hybrid: boolean) => {
      const samples: number[] = [];
      for (let n = 0; n < searches + 50; n++) {
        const query = queries[n % queries.length] as (typeof queries)[number];
        const start = performance.now();
        await index.search({
          text: query.text,
          limit: 5,
          ...(hybrid ? { vector: query.vector } : {}),
        });
        if (n >= 50) samples.push(performance.now() - start); // the first 50 warm up
      }
      return summarize(samples);
    };
    const hybridMs = await time(true);
    const keywordMs = await time(false);
    return { chunks: await index.chunkCount(), searches, hybridMs, keywordMs };
  } finally {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  }
}
