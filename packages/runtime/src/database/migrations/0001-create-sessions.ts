import { type Kysely, type Migration, sql } from "kysely";

// Migrations take Kysely<unknown>: they describe the schema as it was at that point, which
// the current `Database` interface no longer has to match.
// `ifNotExists` everywhere because kysely runs SQLite migrations outside a transaction: a
// migration that died half-way can simply be run again.
export const createSessions: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("sessions")
      .ifNotExists()
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("user_id", "text", (col) => col.notNull())
      .addColumn("agent", "text", (col) => col.notNull())
      .addColumn("session_id", "text", (col) => col.notNull())
      // No foreign key to session_turns: the two tables would reference each other, which
      // SQLite cannot add after the fact. The store checks the head inside its transaction.
      .addColumn("head_turn_id", "text")
      .addColumn("turn_count", "integer", (col) => col.notNull().defaultTo(0))
      .addColumn("created_at", "text", (col) => col.notNull())
      .addColumn("updated_at", "text", (col) => col.notNull())
      .execute();

    // Every lookup goes through the full key, and appendTurn's ON CONFLICT needs it unique.
    await db.schema
      .createIndex("sessions_key_unique")
      .ifNotExists()
      .unique()
      .on("sessions")
      .columns(["user_id", "agent", "session_id"])
      .execute();

    await db.schema
      .createTable("session_turns")
      .ifNotExists()
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("session_pk", "text", (col) =>
        col.notNull().references("sessions.id").onDelete("cascade"),
      )
      .addColumn("parent_id", "text")
      .addColumn("seq", "integer", (col) => col.notNull())
      .addColumn("input", "text", (col) => col.notNull())
      .addColumn("steps", "text", (col) => col.notNull())
      .addColumn("answer", "text", (col) => col.notNull())
      .addColumn("status", "text", (col) =>
        col.notNull().check(sql`status in ('complete', 'partial')`),
      )
      .addColumn("prompt_tokens", "integer", (col) => col.notNull())
      .addColumn("completion_tokens", "integer", (col) => col.notNull())
      .addColumn("total_tokens", "integer", (col) => col.notNull())
      .addColumn("created_at", "text", (col) => col.notNull())
      // Orders listTurns and makes two appends that raced past the session lock collide.
      .addUniqueConstraint("session_turns_seq_unique", ["session_pk", "seq"])
      // Target of the parent key below.
      .addUniqueConstraint("session_turns_session_id_unique", ["session_pk", "id"])
      // The parent must be a turn of the same session; a NULL parent (a root) is exempt.
      .addForeignKeyConstraint(
        "session_turns_parent_fk",
        ["session_pk", "parent_id"],
        "session_turns",
        ["session_pk", "id"],
      )
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("session_turns").ifExists().execute();
    await db.schema.dropTable("sessions").ifExists().execute();
  },
};
