import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
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

/** Bumped when the tables change: the file is a cache of the folders, so it is rebuilt. */
const SCHEMA_VERSION = 1;

/**
 * The words of a free-text query as an FTS5 expression: each quoted (so `AND`, `NEAR`, `*`
 * or a quote in the question are plain words) and joined with OR, so bm25 ranks chunks that
 * contain more of the words, rarer ones weighing more.
 */
export function ftsQuery(text: string): string | undefined {
  const words = queryWords(text);
  return words.length === 0 ? undefined : words.map((word) => `"${word}"`).join(" OR ");
}

interface ChunkRow {
  id: number;
  source: string;
  section: string;
  text: string;
}

/**
 * A knowledge index in its own SQLite file (FTS5 with bm25, porter stemming; vectors as
 * float32 blobs, searched in memory by brute force). Its own file, not the app database: it
 * is derived from the agents' folders, so it needs no migration or backup and may be deleted.
 */
export class SqliteKnowledgeIndex implements KnowledgeIndex {
  readonly #db: Database.Database;
  /** Chunk id → vector, for the cosine pass; loaded at open, kept in step with writes. */
  readonly #vectors = new NearestVectors();

  constructor(file: string) {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    this.#db = new Database(file);
    this.#db.pragma("journal_mode = WAL");
    if (this.#db.pragma("user_version", { simple: true }) !== SCHEMA_VERSION) this.#rebuild();
    const rows = this.#db
      .prepare("select id, vector from chunks where vector is not null")
      .all() as { id: number; vector: Buffer }[];
    for (const row of rows) this.#vectors.set(row.id, bytesToVector(row.vector));
  }

  #rebuild(): void {
    this.#db.exec(`
      drop table if exists sources; drop table if exists chunks;
      drop table if exists chunks_fts; drop table if exists embeddings;
      create table sources (source text primary key, hash text not null);
      create table chunks (id integer primary key, source text not null, section text not null,
        text text not null, hash text not null, vector blob);
      create index chunks_by_source on chunks (source);
      create virtual table chunks_fts using fts5 (section, text, tokenize = 'porter unicode61');
      create table embeddings (model text not null, hash text not null, vector blob not null,
        primary key (model, hash));
      pragma user_version = ${SCHEMA_VERSION};
    `);
  }

  async sources(): Promise<ReadonlyMap<string, IndexedSource>> {
    const rows = this.#db
      .prepare(
        "select s.source, s.hash, count(c.id) as chunks from sources s left join chunks c on c.source = s.source group by s.source",
      )
      .all() as { source: string; hash: string; chunks: number }[];
    return new Map(rows.map((row) => [row.source, { hash: row.hash, chunks: row.chunks }]));
  }

  async replaceSource(source: string, hash: string, chunks: readonly StoredChunk[]) {
    const insertChunk = this.#db.prepare(
      "insert into chunks (source, section, text, hash, vector) values (?, ?, ?, ?, ?)",
    );
    const insertFts = this.#db.prepare(
      "insert into chunks_fts (rowid, section, text) values (?, ?, ?)",
    );
    const added = new Map<number, Float32Array>();
    this.#db.transaction(() => {
      this.#delete(source);
      this.#db.prepare("insert into sources (source, hash) values (?, ?)").run(source, hash);
      for (const chunk of chunks) {
        const vector = chunk.vector ? vectorToBytes(chunk.vector) : null;
        const id = Number(
          insertChunk.run(source, chunk.section, chunk.text, chunk.hash, vector).lastInsertRowid,
        );
        insertFts.run(id, chunk.section, chunk.text);
        if (chunk.vector) added.set(id, chunk.vector);
      }
    })();
    for (const [id, vector] of added) this.#vectors.set(id, vector);
  }

  async removeSource(source: string): Promise<void> {
    this.#db.transaction(() => this.#delete(source))();
  }

  #delete(source: string): void {
    const ids = this.#db.prepare("select id from chunks where source = ?").pluck().all(source);
    const deleteFts = this.#db.prepare("delete from chunks_fts where rowid = ?");
    for (const id of ids as number[]) {
      deleteFts.run(id);
      this.#vectors.delete(id);
    }
    this.#db.prepare("delete from chunks where source = ?").run(source);
    this.#db.prepare("delete from sources where source = ?").run(source);
  }

  async chunkCount(): Promise<number> {
    return this.#db.prepare("select count(*) from chunks").pluck().get() as number;
  }

  async search(query: KnowledgeQuery): Promise<KnowledgeHit[]> {
    const lists: number[][] = [];
    const match = ftsQuery(query.text);
    if (match !== undefined) {
      lists.push(
        this.#db
          .prepare(
            "select rowid from chunks_fts where chunks_fts match ? order by bm25(chunks_fts, 2.0, 1.0) limit ?",
          )
          .pluck()
          .all(match, SEARCH_CANDIDATES) as number[],
      );
    }
    if (query.vector) lists.push(this.#vectors.nearest(query.vector, SEARCH_CANDIDATES));
    const ranked = [...fuseRanks(lists)].sort((a, b) => b[1] - a[1]).slice(0, query.limit);
    if (ranked.length === 0) return [];
    const rows = this.#db
      .prepare(
        `select id, source, section, text from chunks where id in (${ranked.map(() => "?").join(",")})`,
      )
      .all(...ranked.map(([id]) => id)) as ChunkRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ranked.flatMap(([id, score]) => {
      const row = byId.get(id);
      return row ? [{ source: row.source, section: row.section, text: row.text, score }] : [];
    });
  }

  async cachedVectors(model: string, hashes: readonly string[]) {
    const found = new Map<string, Float32Array>();
    const get = this.#db.prepare("select vector from embeddings where model = ? and hash = ?");
    for (const hash of hashes) {
      const row = get.get(model, hash) as { vector: Buffer } | undefined;
      if (row) found.set(hash, bytesToVector(row.vector));
    }
    return found;
  }

  async cacheVectors(model: string, vectors: ReadonlyMap<string, Float32Array>) {
    const put = this.#db.prepare(
      "insert or replace into embeddings (model, hash, vector) values (?, ?, ?)",
    );
    this.#db.transaction(() => {
      for (const [hash, vector] of vectors) put.run(model, hash, vectorToBytes(vector));
    })();
  }

  async pruneVectors(): Promise<void> {
    this.#db.exec("delete from embeddings where hash not in (select hash from chunks)");
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
