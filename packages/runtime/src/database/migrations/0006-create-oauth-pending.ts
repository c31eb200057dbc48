import type { Kysely, Migration } from "kysely";

/**
 * OAuth sign-ins in progress: what the callback needs when Google sends the user back (the PKCE
 * verifier, who and what for), keyed by the `state` sent along. A row lives minutes: taken
 * (deleted) by its callback, or deleted once expired by the next sign-in.
 */
export const createOAuthPending: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("oauth_pending")
      .ifNotExists()
      .addColumn("state", "text", (col) => col.primaryKey())
      .addColumn("user_id", "text", (col) => col.notNull())
      .addColumn("toolkit", "text", (col) => col.notNull())
      .addColumn("code_verifier", "text", (col) => col.notNull())
      .addColumn("expires_at", "text", (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex("oauth_pending_expires_at")
      .ifNotExists()
      .on("oauth_pending")
      .column("expires_at")
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("oauth_pending").ifExists().execute();
  },
};
