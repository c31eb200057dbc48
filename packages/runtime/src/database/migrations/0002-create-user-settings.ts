import type { Kysely, Migration } from "kysely";

export const createUserSettings: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("user_settings")
      .ifNotExists()
      .addColumn("user_id", "text", (col) => col.notNull())
      .addColumn("namespace", "text", (col) => col.notNull())
      .addColumn("key", "text", (col) => col.notNull())
      // Length limits live in the store so SQLite and Postgres reject the same values.
      .addColumn("value", "text", (col) => col.notNull())
      .addColumn("updated_at", "text", (col) => col.notNull())
      .addPrimaryKeyConstraint("user_settings_pk", ["user_id", "namespace", "key"])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("user_settings").ifExists().execute();
  },
};
