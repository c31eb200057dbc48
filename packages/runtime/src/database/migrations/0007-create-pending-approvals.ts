import type { Kysely, Migration } from "kysely";

/**
 * Side effects an agent asked the user to approve (approval/): who, which conversation and
 * agent, the exact calls, until when, and an HMAC over all of it. A row is closed once
 * (`consumed_at` set, `decision` saying how) and never reopened; rows are deleted a day after
 * they expire.
 */
export const createPendingApprovals: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("pending_approvals")
      .ifNotExists()
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("user_id", "text", (col) => col.notNull())
      .addColumn("agent", "text", (col) => col.notNull())
      .addColumn("session_id", "text", (col) => col.notNull())
      .addColumn("prefix_key", "text", (col) => col.notNull())
      .addColumn("calls", "text", (col) => col.notNull())
      .addColumn("created_at", "text", (col) => col.notNull())
      .addColumn("expires_at", "text", (col) => col.notNull())
      .addColumn("mac", "text", (col) => col.notNull())
      .addColumn("consumed_at", "text")
      .addColumn("decision", "text")
      .execute();
    await db.schema
      .createIndex("pending_approvals_conversation")
      .ifNotExists()
      .on("pending_approvals")
      .columns(["user_id", "agent", "session_id", "prefix_key"])
      .execute();
    await db.schema
      .createIndex("pending_approvals_expires_at")
      .ifNotExists()
      .on("pending_approvals")
      .column("expires_at")
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("pending_approvals").ifExists().execute();
  },
};
