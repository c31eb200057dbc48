import type { Kysely, Migration } from "kysely";

/** Ids of connect tickets already used, kept until the ticket would have expired anyway. */
export const createConnectTickets: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("connect_tickets_used")
      .ifNotExists()
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("expires_at", "text", (col) => col.notNull())
      .addColumn("used_at", "text", (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex("connect_tickets_used_expires_at")
      .ifNotExists()
      .on("connect_tickets_used")
      .column("expires_at")
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("connect_tickets_used").ifExists().execute();
  },
};
