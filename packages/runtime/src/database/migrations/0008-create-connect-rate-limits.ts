import type { Kysely, Migration } from "kysely";

/**
 * The connect pages' rate-limit counters (connect/kysely-rate-limit-store.ts), shared by every
 * replica on the database. One row per limited key and window; rows whose window has passed
 * are deleted by the next count, so the table holds one window's keys at most.
 */
export const createConnectRateLimits: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("connect_rate_limits")
      .ifNotExists()
      .addColumn("key", "text", (col) => col.primaryKey())
      .addColumn("hits", "integer", (col) => col.notNull())
      .addColumn("reset_at", "text", (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex("connect_rate_limits_reset_at")
      .ifNotExists()
      .on("connect_rate_limits")
      .column("reset_at")
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("connect_rate_limits").ifExists().execute();
  },
};
