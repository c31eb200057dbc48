import { type Generated, type Kysely, type Migration, Migrator, sql } from "kysely";
import { MigrationFailedError } from "../database/migration-failed-error.ts";

/**
 * The knowledge tables on Postgres, one set shared by every agent (keyed by `agent`): created
 * once by this file's own migrations, not one DDL per agent at run time. `document` is a
 * generated tsvector (section weighted A, text B) with a GIN index; `id` grows and is never
 * reused, which the in-memory vectors rely on to notice another runtime's writes.
 */
export type KnowledgeTables = {
  knowledge_sources: { agent: string; source: string; hash: string };
  knowledge_chunks: {
    id: Generated<string>;
    agent: string;
    source: string;
    section: string;
    text: string;
    hash: string;
    vector: Buffer | null;
  };
  knowledge_embeddings: { agent: string; model: string; hash: string; vector: Buffer };
};

/**
 * The text-search configuration: English stemming (Snowball), as the SQLite index's Porter
 * tokenizer. Named, not the server's `default_text_search_config`, so every server ranks alike
 * and the generated column's expression is immutable.
 */
export const TEXT_SEARCH_CONFIG = "english";

/**
 * Kept apart from the runtime's migrations (database/migrations), which run unchanged on SQLite
 * and Postgres: tsvector and GIN exist only here, and the tables hold derived data that a
 * schema change may simply drop and rebuild from the agents' folders.
 */
const migrations: Record<string, Migration> = {
  "0001-create-knowledge": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("knowledge_sources")
        .addColumn("agent", "text", (col) => col.notNull())
        .addColumn("source", "text", (col) => col.notNull())
        .addColumn("hash", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("knowledge_sources_pk", ["agent", "source"])
        .execute();
      await db.schema
        .createTable("knowledge_chunks")
        .addColumn("id", "bigint", (col) => col.generatedAlwaysAsIdentity().primaryKey())
        .addColumn("agent", "text", (col) => col.notNull())
        .addColumn("source", "text", (col) => col.notNull())
        .addColumn("section", "text", (col) => col.notNull())
        .addColumn("text", "text", (col) => col.notNull())
        .addColumn("hash", "text", (col) => col.notNull())
        .addColumn("vector", "bytea")
        .addColumn("document", sql`tsvector`, (col) =>
          col
            .generatedAlwaysAs(
              sql`setweight(to_tsvector(${sql.lit(TEXT_SEARCH_CONFIG)}::regconfig, section), 'A') || setweight(to_tsvector(${sql.lit(TEXT_SEARCH_CONFIG)}::regconfig, text), 'B')`,
            )
            .stored(),
        )
        .execute();
      await db.schema
        .createIndex("knowledge_chunks_by_source")
        .on("knowledge_chunks")
        .columns(["agent", "source"])
        .execute();
      await db.schema
        .createIndex("knowledge_chunks_by_hash")
        .on("knowledge_chunks")
        .columns(["agent", "hash"])
        .execute();
      await db.schema
        .createIndex("knowledge_chunks_document")
        .on("knowledge_chunks")
        .using("gin")
        .column("document")
        .execute();
      await db.schema
        .createTable("knowledge_embeddings")
        .addColumn("agent", "text", (col) => col.notNull())
        .addColumn("model", "text", (col) => col.notNull())
        .addColumn("hash", "text", (col) => col.notNull())
        .addColumn("vector", "bytea", (col) => col.notNull())
        .addPrimaryKeyConstraint("knowledge_embeddings_pk", ["agent", "model", "hash"])
        .execute();
    },
  },
};

const migrated = new WeakMap<object, Promise<void>>();

/**
 * Creates or updates the knowledge tables, once per database handle (the indexes of all agents
 * share the promise). Kysely's Postgres migrator holds an advisory lock, so runtimes starting
 * together on one server migrate one after another. A failure is retried by the next call.
 */
export function migrateKnowledge<DB>(handle: Kysely<DB>): Promise<void> {
  const db = handle as unknown as Kysely<unknown>;
  let running = migrated.get(db);
  if (!running) {
    running = runMigrations(db).catch((error: unknown) => {
      migrated.delete(db);
      throw error;
    });
    migrated.set(db, running);
  }
  return running;
}

async function runMigrations(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    // Its own history: the app's migration table lists only the engine-neutral migrations.
    migrationTableName: "knowledge_migration",
    migrationLockTableName: "knowledge_migration_lock",
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === "Error");
    throw new MigrationFailedError(failed?.migrationName, { cause: error });
  }
}
