import { access } from "node:fs/promises";
import path from "node:path";
import type { AppDatabase } from "../database/app-database.ts";
import { DATABASE_FILE_NAME, openDatabase } from "../database/open-database.ts";

/**
 * The runtime's database as the operator commands find it: Postgres when `DATABASE_URL` is set,
 * else the SQLite file under `AGENTLLM_DATA_DIR` (default `tmp`), resolved against the working
 * directory, like the runtime. `file` names it in messages (never the URL: it holds the
 * password). `database` is undefined when there is no file yet: the commands say so instead of
 * creating an empty one.
 */
export async function openExistingDatabase(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ file: string; database: AppDatabase | undefined }> {
  const dataDir = path.resolve(env.AGENTLLM_DATA_DIR || "tmp");
  if (env.DATABASE_URL) {
    return {
      file: "the Postgres database of DATABASE_URL",
      database: await openDatabase({ dataDir, databaseUrl: env.DATABASE_URL }),
    };
  }
  const file = path.join(dataDir, DATABASE_FILE_NAME);
  try {
    await access(file);
  } catch {
    return { file, database: undefined };
  }
  return { file, database: await openDatabase({ dataDir }) };
}
