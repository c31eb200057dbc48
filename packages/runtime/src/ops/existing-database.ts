import { access } from "node:fs/promises";
import path from "node:path";
import type { AppDatabase } from "../database/app-database.ts";
import { DATABASE_FILE_NAME, openDatabase } from "../database/open-database.ts";

/**
 * The runtime's database as the operator commands find it: `AGENTLLM_DATA_DIR` (default `tmp`)
 * like the runtime, resolved against the working directory. `database` is undefined when there
 * is no file yet: the commands say so instead of creating an empty one.
 */
export async function openExistingDatabase(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ file: string; database: AppDatabase | undefined }> {
  const dataDir = path.resolve(env.AGENTLLM_DATA_DIR || "tmp");
  const file = path.join(dataDir, DATABASE_FILE_NAME);
  try {
    await access(file);
  } catch {
    return { file, database: undefined };
  }
  return { file, database: await openDatabase({ dataDir }) };
}
