import type { Kysely, Migration } from "kysely";

/**
 * The credential vault's table (`vault/kysely-credential-vault.ts`): one row per (user,
 * toolkit). `secrets` is a JSON object of field name → Fernet token, each field encrypted on
 * its own; `metadata` is plain JSON an operator may query. Plain text columns only, so the same
 * DDL runs on Postgres.
 */
export const createCredentials: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("credentials")
      .ifNotExists()
      .addColumn("user_id", "text", (col) => col.notNull())
      .addColumn("toolkit", "text", (col) => col.notNull())
      .addColumn("kind", "text", (col) => col.notNull())
      .addColumn("secrets", "text", (col) => col.notNull())
      .addColumn("metadata", "text", (col) => col.notNull())
      .addColumn("connected_at", "text", (col) => col.notNull())
      .addColumn("updated_at", "text", (col) => col.notNull())
      .addPrimaryKeyConstraint("credentials_pk", ["user_id", "toolkit"])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("credentials").ifExists().execute();
  },
};
