import { type Kysely, type Migration, Migrator } from "kysely";
import { MigrationFailedError } from "./migration-failed-error.ts";
import { migrations as allMigrations } from "./migrations/index.ts";
import type { Database } from "./schema.ts";

/**
 * Brings the schema up to date; a no-op when it already is. Dialect-agnostic, so a Postgres
 * opener can call it too. Kysely reports failures as a result instead of throwing: this turns
 * them into one loud error naming the migration.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  migrations: Readonly<Record<string, Migration>> = allMigrations,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === "Error");
    throw new MigrationFailedError(failed?.migrationName, { cause: error });
  }
}
