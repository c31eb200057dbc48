import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../database/schema.ts";
import {
  fuseRanks,
  type IndexedSource,
  type KnowledgeHit,
  type KnowledgeIndex,
  type KnowledgeQuery,
  queryWords,
  SEARCH_CANDIDATES,
  type StoredChunk,
} from "./knowledge-index.ts";
import { bytesToVector, NearestVectors, vectorToBytes } from "./nearest-vectors.ts";
import {
  type KnowledgeTables,
  migrateKnowledge,
  TEXT_SEARCH_CONFIG,
} from "./postgres-knowledge-schema.ts";

/**
 * Rows per insert statement: 6 parameters each stays far below Postgres' 65,535, and a batch
 * of 3,000-character chunks with 768-float vectors is a few megabytes.
 */
export const INSERT_BATCH_ROWS = 500;

/**
 * ts_rank_cd's weights for D, C, B, A: the section (A) weighs twice the text (B), as the SQLite
 * index's bm25(2.0, 1.0).
 */
const RANK_WEIGHTS = "{0.1, 0.2, 0.5, 1.0}";

/**
 * The query's words as input to websearch_to_tsquery, joined by `or`: as on SQLite, a chunk with
 * more of the words ranks higher, and no input can be a tsquery syntax error.
 */
export function tsQueryText(text: string): string | undefined {
  const words = queryWords(text);
  return words.length === 0 ? undefined : words.join(" or ");
}

/**
 * One agent's knowledge in the Postgres database of DATABASE_URL: full-text search on a
 * generated tsvector (English stemming, GIN index, ts_rank_cd), vectors as float32 bytea ranked
 * in memory as on SQLite, fused by reciprocal rank. Every write for an agent holds that agent's
 * transaction-level advisory lock, so runtimes indexing the same folder at once take turns per
 * file, and one that finds the file already indexed at its hash leaves it be.
 */
export class PostgresKnowledgeIndex implements KnowledgeIndex {
  readonly #db: Kysely<KnowledgeTables>;
  readonly #agent: string;
  readonly #vectors = new NearestVectors();
  /** What `#vectors` was loaded from: another runtime's write changes it (ids never repeat). */
  #loaded: string | undefined;

  /** `db` is the runtime's own (closed by its owner, not by `close`). */
  constructor(db: Kysely<Database>, agent: string) {
    // The same connection pool; only the tables it is typed for differ.
    this.#db = db as unknown as Kysely<KnowledgeTables>;
    this.#agent = agent;
  }

  async #ready(): Promise<Kysely<KnowledgeTables>> {
    await migrateKnowledge(this.#db);
    return this.#db;
  }

  async sources(): Promise<ReadonlyMap<string, IndexedSource>> {
    const db = await this.#ready();
    const rows = await db
      .selectFrom("knowledge_sources as s")
      .leftJoin("knowledge_chunks as c", (join) =>
        join.onRef("c.agent", "=", "s.agent").onRef("c.source", "=", "s.source"),
      )
      .select(["s.source", "s.hash", (eb) => eb.fn.count<string>("c.id").as("chunks")])
      .where("s.agent", "=", this.#agent)
      .groupBy(["s.source", "s.hash"])
      .execute();
    return new Map(rows.map((row) => [row.source, { hash: row.hash, chunks: Number(row.chunks) }]));
  }

  async replaceSource(source: string, hash: string, chunks: readonly StoredChunk[]) {
    await this.#write(async (trx) => {
      const current = await trx
        .selectFrom("knowledge_sources")
        .select("hash")
        .where("agent", "=", this.#agent)
        .where("source", "=", source)
        .executeTakeFirst();
      if (current?.hash === hash && (await this.#countOf(trx, source)) === chunks.length) {
        return; // another runtime indexed this very content while we read it
      }
      await this.#delete(trx, source);
      await trx
        .insertInto("knowledge_sources")
        .values({ agent: this.#agent, source, hash })
        .execute();
      for (let at = 0; at < chunks.length; at += INSERT_BATCH_ROWS) {
        await trx
          .insertInto("knowledge_chunks")
          .values(
            chunks.slice(at, at + INSERT_BATCH_ROWS).map((chunk) => ({
              agent: this.#agent,
              source,
              section: chunk.section,
              text: chunk.text,
              hash: chunk.hash,
              vector: chunk.vector ? vectorToBytes(chunk.vector) : null,
            })),
          )
          .execute();
      }
    });
  }

  async removeSource(source: string): Promise<void> {
    await this.#write((trx) => this.#delete(trx, source));
  }

  /** One transaction holding this agent's advisory lock (released at commit or rollback). */
  async #write(body: (trx: Transaction<KnowledgeTables>) => Promise<void>): Promise<void> {
    const db = await this.#ready();
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('agentllm.knowledge'), hashtext(${this.#agent}))`.execute(
        trx,
      );
      await body(trx);
    });
  }

  async #countOf(trx: Transaction<KnowledgeTables>, source: string): Promise<number> {
    const row = await trx
      .selectFrom("knowledge_chunks")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("agent", "=", this.#agent)
      .where("source", "=", source)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async #delete(trx: Transaction<KnowledgeTables>, source: string): Promise<void> {
    await trx
      .deleteFrom("knowledge_chunks")
      .where("agent", "=", this.#agent)
      .where("source", "=", source)
      .execute();
    await trx
      .deleteFrom("knowledge_sources")
      .where("agent", "=", this.#agent)
      .where("source", "=", source)
      .execute();
  }

  async chunkCount(): Promise<number> {
    const db = await this.#ready();
    const row = await db
      .selectFrom("knowledge_chunks")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("agent", "=", this.#agent)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async search(query: KnowledgeQuery): Promise<KnowledgeHit[]> {
    const db = await this.#ready();
    const lists: number[][] = [];
    const words = tsQueryText(query.text);
    if (words !== undefined) {
      const phrase = queryWords(query.text).join(" ");
      // The words in order, adjacent (phraseto_tsquery), add their own cover-density score:
      // a passage holding the question's phrase beats one that matches a word in its heading.
      const { rows } = await sql<{ id: string }>`
        select c.id from knowledge_chunks c,
          websearch_to_tsquery(${sql.lit(TEXT_SEARCH_CONFIG)}::regconfig, ${words}) q,
          phraseto_tsquery(${sql.lit(TEXT_SEARCH_CONFIG)}::regconfig, ${phrase}) p
        where c.agent = ${this.#agent} and c.document @@ q
        order by ts_rank_cd(${RANK_WEIGHTS}::float4[], c.document, q)
          + ts_rank_cd(${RANK_WEIGHTS}::float4[], c.document, p) desc, c.id
        limit ${SEARCH_CANDIDATES}`.execute(db);
      lists.push(rows.map((row) => Number(row.id)));
    }
    if (query.vector) {
      await this.#loadVectors(db);
      lists.push(this.#vectors.nearest(query.vector, SEARCH_CANDIDATES));
    }
    const ranked = [...fuseRanks(lists)].sort((a, b) => b[1] - a[1]).slice(0, query.limit);
    if (ranked.length === 0) return [];
    const rows = await db
      .selectFrom("knowledge_chunks")
      .select(["id", "source", "section", "text"])
      .where("agent", "=", this.#agent)
      .where(
        "id",
        "in",
        ranked.map(([id]) => String(id)),
      )
      .execute();
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    return ranked.flatMap(([id, score]) => {
      const row = byId.get(id);
      return row ? [{ source: row.source, section: row.section, text: row.text, score }] : [];
    });
  }

  /**
   * Brings the in-memory vectors in line with the table when any runtime changed this agent's
   * chunks: a write inserts ids above every earlier one (in turn, under the agent's lock) or
   * deletes some, so the count and the largest id together tell whether to reload.
   */
  async #loadVectors(db: Kysely<KnowledgeTables>): Promise<void> {
    const state = await db
      .selectFrom("knowledge_chunks")
      .select((eb) => [eb.fn.countAll<string>().as("n"), eb.fn.max("id").as("last")])
      .where("agent", "=", this.#agent)
      .executeTakeFirstOrThrow();
    const stamp = `${state.n}:${state.last ?? ""}`;
    if (stamp === this.#loaded) return;
    const rows = await db
      .selectFrom("knowledge_chunks")
      .select(["id", "vector"])
      .where("agent", "=", this.#agent)
      .where("vector", "is not", null)
      .execute();
    this.#vectors.clear();
    for (const row of rows) {
      if (row.vector) this.#vectors.set(Number(row.id), bytesToVector(row.vector));
    }
    this.#loaded = stamp;
  }

  async cachedVectors(model: string, hashes: readonly string[]) {
    const found = new Map<string, Float32Array>();
    if (hashes.length === 0) return found;
    const db = await this.#ready();
    const rows = await db
      .selectFrom("knowledge_embeddings")
      .select(["hash", "vector"])
      .where("agent", "=", this.#agent)
      .where("model", "=", model)
      .where("hash", "=", sql<string>`any(${[...hashes]}::text[])`)
      .execute();
    for (const row of rows) found.set(row.hash, bytesToVector(row.vector));
    return found;
  }

  async cacheVectors(model: string, vectors: ReadonlyMap<string, Float32Array>) {
    const db = await this.#ready();
    // In hash order: two runtimes caching overlapping batches then wait on each other's rows in
    // one order, which cannot deadlock.
    const rows = [...vectors]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([hash, vector]) => ({
        agent: this.#agent,
        model,
        hash,
        vector: vectorToBytes(vector),
      }));
    for (let at = 0; at < rows.length; at += INSERT_BATCH_ROWS) {
      // The same text and model give the same vector: a row another runtime wrote first stays.
      await db
        .insertInto("knowledge_embeddings")
        .values(rows.slice(at, at + INSERT_BATCH_ROWS))
        .onConflict((oc) => oc.columns(["agent", "model", "hash"]).doNothing())
        .execute();
    }
  }

  async pruneVectors(): Promise<void> {
    const db = await this.#ready();
    await db
      .deleteFrom("knowledge_embeddings as e")
      .where("e.agent", "=", this.#agent)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("knowledge_chunks as c")
              .select("c.id")
              .whereRef("c.agent", "=", "e.agent")
              .whereRef("c.hash", "=", "e.hash"),
          ),
        ),
      )
      .execute();
  }

  /** The database is the runtime's: closing one agent's index leaves it open. */
  async close(): Promise<void> {}
}
