import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Logger } from "../logger.ts";
import type { Embedder } from "./embedder.ts";
import type { KnowledgeChunk } from "./knowledge-chunk.ts";
import { listKnowledgeFiles } from "./knowledge-folder.ts";
import type { KnowledgeHit, KnowledgeIndex, StoredChunk } from "./knowledge-index.ts";
import type { KnowledgeLimits } from "./knowledge-limits.ts";
import { chunkFile } from "./read-knowledge-file.ts";

export interface KnowledgeBaseOptions {
  readonly agent: string;
  readonly folder: string;
  readonly index: KnowledgeIndex;
  /** Absent: keyword search only (no Gemini key), said once in the log. */
  readonly embedder?: Embedder;
  readonly logger: Logger;
  readonly limits: KnowledgeLimits;
  /** At most one folder check per this many milliseconds, made by the search that finds it due. */
  readonly refreshMs: number;
  readonly now?: () => number;
}

export interface KnowledgeAnswer {
  /** `hybrid`: keywords and embeddings fused; `keyword`: bm25 alone. */
  readonly mode: "hybrid" | "keyword";
  readonly hits: KnowledgeHit[];
}

/** A search's own mistake (empty or long query), for the model to correct. */
export class KnowledgeQueryError extends Error {}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * One agent's knowledge folder kept in its index: synced at start and then at most once per
 * `refreshMs`, when a search comes (no watcher to leak, nothing done for agents nobody asks).
 * A file is re-read only when its size or time changed, re-indexed only when its content hash
 * did, and a chunk is embedded only when no embedding of its exact text is cached.
 */
export class KnowledgeBase {
  readonly #options: KnowledgeBaseOptions;
  readonly #now: () => number;
  /** Source → the size and time it was last read at (content then matched the index). */
  readonly #stamps = new Map<string, string>();
  /** Source → the size and time at which its parser failed on it. */
  readonly #unreadable = new Map<string, string>();
  #checkedAt = Number.NEGATIVE_INFINITY;
  #syncing: Promise<void> | undefined;
  /** Whether a sync has finished (however): until then a search waits for the first one. */
  #synced = false;
  #stopped = false;

  constructor(options: KnowledgeBaseOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Brings the index in line with the folder; one at a time, callers share a running one. */
  sync(): Promise<void> {
    this.#syncing ??= this.#sync().finally(() => {
      this.#syncing = undefined;
      this.#synced = true;
    });
    return this.#syncing;
  }

  /**
   * Ends a running sync at its next file or before its writes (an embedding call in flight
   * runs to its timeout) and resolves once it has; the index may be closed after.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#syncing?.catch(() => {});
  }

  async #sync(): Promise<void> {
    const { agent, folder, index, limits, logger } = this.#options;
    this.#checkedAt = this.#now();
    const files = await listKnowledgeFiles(folder, limits, logger.child({ agent }));
    const indexed = await index.sources();
    const listed = new Set(files.map((file) => file.source));
    let removed = 0;
    for (const source of indexed.keys()) {
      if (!listed.has(source)) {
        await index.removeSource(source);
        this.#stamps.delete(source);
        removed += 1;
      }
    }
    let total = 0;
    for (const [source, entry] of indexed) if (listed.has(source)) total += entry.chunks;
    // Changed files are chunked first and embedded together, so a start with many small
    // files makes a few full batches of embedding calls, not one call per file.
    const changed: { source: string; stamp: string; hash: string; chunks: KnowledgeChunk[] }[] = [];
    for (const file of files) {
      if (this.#stopped) return;
      const previous = indexed.get(file.source);
      if (previous && this.#stamps.get(file.source) === file.stamp) continue;
      if (this.#unreadable.get(file.source) === file.stamp) continue;
      const bytes = await readFile(file.file);
      const hash = sha256(bytes);
      if (previous?.hash === hash) {
        this.#stamps.set(file.source, file.stamp);
        continue;
      }
      let chunks: KnowledgeChunk[];
      try {
        chunks = await chunkFile(file.source, bytes, limits.maxChunkChars);
      } catch (error) {
        logger.warn(
          { agent, source: file.source, err: (error as Error).message },
          "knowledge file could not be read; not indexed",
        );
        if (previous) await index.removeSource(file.source);
        total -= previous?.chunks ?? 0;
        // Not read again (nor warned about) until it changes.
        this.#unreadable.set(file.source, file.stamp);
        continue;
      }
      const room = limits.maxChunks - (total - (previous?.chunks ?? 0));
      if (chunks.length > room) {
        logger.warn(
          {
            agent,
            source: file.source,
            maxChunks: limits.maxChunks,
            dropped: chunks.length - room,
          },
          "knowledge base reached its chunk limit; the rest of this file is not indexed",
        );
        chunks = chunks.slice(0, Math.max(0, room));
      }
      total += chunks.length - (previous?.chunks ?? 0);
      changed.push({ source: file.source, stamp: file.stamp, hash, chunks });
    }
    const stored = await this.#withVectors(changed.flatMap((file) => file.chunks));
    if (this.#stopped) return;
    let at = 0;
    for (const file of changed) {
      await index.replaceSource(file.source, file.hash, stored.slice(at, at + file.chunks.length));
      at += file.chunks.length;
      this.#stamps.set(file.source, file.stamp);
    }
    if (changed.length > 0) await index.pruneVectors();
    // Info at start and when something changed; a refresh that found nothing is debug.
    const level = !this.#synced || changed.length > 0 || removed > 0 ? "info" : "debug";
    logger[level](
      {
        agent,
        files: files.length,
        changed: changed.length,
        removed,
        chunks: total,
        embeddings: Boolean(this.#options.embedder),
      },
      "knowledge indexed",
    );
  }

  async #withVectors(chunks: readonly KnowledgeChunk[]): Promise<StoredChunk[]> {
    const { embedder, index, logger, agent } = this.#options;
    const stored = chunks.map((chunk) => ({
      ...chunk,
      hash: sha256(`${chunk.section}\n${chunk.text}`),
    }));
    if (!embedder || stored.length === 0) return stored;
    const vectors = await index.cachedVectors(
      embedder.model,
      stored.map((chunk) => chunk.hash),
    );
    const missing = stored.filter((chunk) => !vectors.has(chunk.hash));
    if (missing.length > 0) {
      try {
        const made = await embedder.embed(
          missing.map((chunk) => `${chunk.section}\n${chunk.text}`),
          "document",
        );
        const fresh = new Map(missing.map((chunk, i) => [chunk.hash, made[i] as Float32Array]));
        await index.cacheVectors(embedder.model, fresh);
        for (const [hash, vector] of fresh) vectors.set(hash, vector);
      } catch (error) {
        logger.warn(
          { agent, chunks: missing.length, err: (error as Error).message },
          "embedding knowledge failed; these chunks are found by keywords only",
        );
      }
    }
    return stored.map((chunk) => {
      const vector = vectors.get(chunk.hash);
      return vector ? { ...chunk, vector } : chunk;
    });
  }

  /** The best chunks for a question; refreshes the index first when a check is due. */
  async search(text: string, limit: number): Promise<KnowledgeAnswer> {
    const { embedder, index, limits, logger, agent } = this.#options;
    const query = text.trim();
    if (query === "") throw new KnowledgeQueryError("the query is empty: ask in a few words");
    if (query.length > limits.maxQueryChars) {
      throw new KnowledgeQueryError(
        `the query has ${query.length} characters, more than the ${limits.maxQueryChars} allowed: ask in fewer words`,
      );
    }
    if (limit < 1 || limit > limits.maxResults) {
      throw new KnowledgeQueryError(`limit must be between 1 and ${limits.maxResults}`);
    }
    if (!this.#synced || this.#now() - this.#checkedAt >= this.#options.refreshMs) {
      await this.sync().catch((error: unknown) => {
        logger.warn(
          { agent, err: (error as Error).message },
          "knowledge refresh failed; searching the last index",
        );
      });
    }
    let vector: Float32Array | undefined;
    if (embedder) {
      try {
        [vector] = await embedder.embed([query], "query");
      } catch (error) {
        logger.warn(
          { agent, err: (error as Error).message },
          "embedding the query failed; keyword search only",
        );
      }
    }
    const hits = await index.search({ text: query, limit, ...(vector ? { vector } : {}) });
    return { mode: vector ? "hybrid" : "keyword", hits };
  }
}
