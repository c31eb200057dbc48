import type { Content } from "@google/genai";
import type { Kysely, Migration } from "kysely";
import { PrefixHasher } from "../../conversation/history-key.ts";

/** Turns read per query while backfilling: their input JSON may be megabytes each. */
const BACKFILL_PAGE = 8;

/**
 * Requests find stored turns by the hash of the conversation the client shows
 * (`conversation/history-key.ts`) instead of loading every turn of the session: the column, its
 * index, and the keys of the turns written before. The backfill uses the key definition of this
 * release; a later change to that definition needs a migration that recomputes the column.
 */
export const indexTurnsByPrefixKey: Migration = {
  async up(db: Kysely<unknown>) {
    const tables = await db.introspection.getTables();
    const turns = tables.find((table) => table.name === "session_turns");
    // Kysely runs SQLite migrations outside a transaction: a migration that died half-way runs
    // again, and ADD COLUMN has no IF NOT EXISTS.
    if (!turns?.columns.some((column) => column.name === "prefix_key")) {
      await db.schema.alterTable("session_turns").addColumn("prefix_key", "text").execute();
    }
    await db.schema
      .createIndex("session_turns_prefix_key")
      .ifNotExists()
      .on("session_turns")
      .columns(["session_pk", "prefix_key"])
      .execute();
    await backfill(db as Kysely<BackfillSchema>);
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex("session_turns_prefix_key").ifExists().execute();
    await db.schema.alterTable("session_turns").dropColumn("prefix_key").execute();
  },
};

interface BackfillSchema {
  session_turns: {
    id: string;
    session_pk: string;
    parent_id: string | null;
    seq: number;
    input: string;
    answer: string;
    prefix_key: string | null;
  };
}

async function backfill(db: Kysely<BackfillSchema>): Promise<void> {
  const sessions = await db
    .selectFrom("session_turns")
    .where("prefix_key", "is", null)
    .select("session_pk")
    .distinct()
    .execute();
  for (const { session_pk: sessionPk } of sessions) {
    // A turn's key continues its parent's hash, so the whole session is walked in append order
    // (parents first); only the running hashes stay in memory, a few hundred bytes a turn.
    const hashers = new Map<string, PrefixHasher>();
    for (let after = 0; ; ) {
      const rows = await db
        .selectFrom("session_turns")
        .where("session_pk", "=", sessionPk)
        .where("seq", ">", after)
        .select(["id", "parent_id", "seq", "input", "answer", "prefix_key"])
        .orderBy("seq")
        .limit(BACKFILL_PAGE)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.seq;
        const parent = row.parent_id === null ? new PrefixHasher() : hashers.get(row.parent_id);
        if (!parent) continue; // its parent could not be read: this turn is never matched
        const hasher = parent.copy();
        let input: Content[];
        try {
          input = JSON.parse(row.input) as Content[];
        } catch {
          continue;
        }
        for (const content of input) hasher.addContent(content);
        hasher.add("model", row.answer);
        hashers.set(row.id, hasher);
        if (row.prefix_key === null) {
          await db
            .updateTable("session_turns")
            .set({ prefix_key: hasher.key() })
            .where("id", "=", row.id)
            .execute();
        }
      }
    }
  }
}
