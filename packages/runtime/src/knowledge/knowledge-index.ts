import type { KnowledgeChunk } from "./knowledge-chunk.ts";

/** A chunk as stored: with its embedding when one could be made. */
export interface StoredChunk extends KnowledgeChunk {
  /** Hash of what was embedded (section and text): the embedding cache's key. */
  readonly hash: string;
  /** Unit length (cosine is then a dot product); absent when keyword search only. */
  readonly vector?: Float32Array;
}

export interface IndexedSource {
  readonly hash: string;
  readonly chunks: number;
}

export interface KnowledgeHit extends KnowledgeChunk {
  /** Reciprocal-rank-fusion score: only the order means something. */
  readonly score: number;
}

export interface KnowledgeQuery {
  readonly text: string;
  /** The query's embedding (unit length), for the vector half of hybrid ranking. */
  readonly vector?: Float32Array;
  readonly limit: number;
}

/**
 * One agent's searchable chunks. The SQLite implementation (sqlite-knowledge-index.ts) keeps
 * FTS5 and vectors in one file per agent; the Postgres one (postgres-knowledge-index.ts) keeps
 * a tsvector column and vectors in tables shared by the agents. Writes are per source file, so
 * a changed file replaces exactly its own chunks.
 */
export interface KnowledgeIndex {
  /** Source file → the content hash it was indexed from and its number of chunks. */
  sources(): Promise<ReadonlyMap<string, IndexedSource>>;
  /** Replaces every chunk of `source` (none: the file is gone or empty). */
  replaceSource(source: string, hash: string, chunks: readonly StoredChunk[]): Promise<void>;
  removeSource(source: string): Promise<void>;
  chunkCount(): Promise<number>;
  /** Best first; keyword ranking alone when the query has no vector. */
  search(query: KnowledgeQuery): Promise<KnowledgeHit[]>;
  /** Embeddings already made for a text hash (by `model`), so unchanged text is never re-sent. */
  cachedVectors(model: string, hashes: readonly string[]): Promise<Map<string, Float32Array>>;
  cacheVectors(model: string, vectors: ReadonlyMap<string, Float32Array>): Promise<void>;
  /** Forgets cached embeddings of texts no longer in any chunk (keeps the cache bounded). */
  pruneVectors(): Promise<void>;
  close(): Promise<void>;
}

/** Candidates each ranking (keywords, vectors) contributes to the fusion. */
export const SEARCH_CANDIDATES = 50;
/** Words of a query that reach the full-text search: a question's words, not a document's. */
export const MAX_QUERY_TERMS = 32;

/**
 * A free-text query's words, lower-cased, letters and digits only (so no engine's query
 * syntax survives), at most MAX_QUERY_TERMS: both engines rank on the same words.
 */
export function queryWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, MAX_QUERY_TERMS);
}

/**
 * The usual constant of reciprocal rank fusion (Cormack et al. 2009): it damps the weight of
 * the very top ranks so one list cannot drown the other.
 */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion of ranked id lists: each list adds 1 / (RRF_K + rank). bm25 and
 * cosine scores live on unrelated scales, so fusing ranks needs no weights to tune, and a
 * chunk both lists like beats one only a single list likes.
 */
export function fuseRanks(lists: readonly (readonly number[])[]): Map<number, number> {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.forEach((id, rank) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + rank + 1));
    });
  }
  return scores;
}
