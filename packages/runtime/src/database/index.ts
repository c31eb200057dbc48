export type { AppDatabase } from "./app-database.ts";
export { migrateToLatest } from "./migrate-to-latest.ts";
export { MigrationFailedError } from "./migration-failed-error.ts";
export { DATABASE_FILE_NAME, openDatabase } from "./open-database.ts";
export type { QueryOptions } from "./query-options.ts";
export type { Database } from "./schema.ts";
