import type { Kysely } from "kysely";
import type { Database } from "./schema.ts";

/** An open, migrated database. Whatever the dialect, stores only ever see `db`. */
export interface AppDatabase {
  readonly db: Kysely<Database>;
  /** Closes the connection(s). Idempotent; stores built on `db` are unusable afterwards. */
  close(): Promise<void>;
}
