import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";
import type { Logger } from "../logger.ts";
import { decodeCredentialRow } from "./credential-row.ts";
import type { KeyRing } from "./key-ring.ts";

/**
 * Rows the start-up check reads at most. One small Fernet decrypt per row (an HMAC and a few
 * AES blocks) plus the read: 130–200 ms for 10,000 rows on a 2-core development machine, once
 * per start. Beyond it the report says how many it did not check; `just rotate-key` checks all.
 */
export const MAX_ROWS_CHECKED_AT_START = 10_000;

export interface UndecryptableCount {
  /** Rows checked (at most the bound), and rows stored. */
  readonly checked: number;
  readonly total: number;
  /** Toolkit → rows whose first secret field no configured key opens. */
  readonly byToolkit: Readonly<Record<string, number>>;
}

/**
 * Counts, per toolkit, credentials no configured key decrypts: the rows written under a key that
 * has since been removed from `AGENTLLM_TOKEN_ENCRYPTION_KEY`. Decrypts one field per row (a
 * row is written under one key, so one field tells) and never returns ids or values.
 */
export async function countUndecryptable(
  db: Kysely<Database>,
  keys: KeyRing,
  { limit = MAX_ROWS_CHECKED_AT_START }: { limit?: number } = {},
): Promise<UndecryptableCount> {
  const total = Number(
    (
      await db
        .selectFrom("credentials")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirst()
    )?.n ?? 0,
  );
  const rows = await db
    .selectFrom("credentials")
    .selectAll()
    .orderBy("user_id")
    .orderBy("toolkit")
    .limit(limit)
    .execute();
  const byToolkit: Record<string, number> = {};
  for (const row of rows) {
    const first = Object.values(decodeCredentialRow(row).tokens)[0];
    let opens = false;
    if (first !== undefined) {
      try {
        keys.decrypt(first);
        opens = true;
      } catch {}
    }
    if (!opens) byToolkit[row.toolkit] = (byToolkit[row.toolkit] ?? 0) + 1;
  }
  return { checked: rows.length, total, byToolkit };
}

/** The start-up report: one warning line with the counts when there is anything to say. */
export async function reportUndecryptable(
  db: Kysely<Database>,
  keys: KeyRing,
  logger: Pick<Logger, "warn">,
): Promise<UndecryptableCount> {
  const count = await countUndecryptable(db, keys);
  const undecryptable = Object.values(count.byToolkit).reduce((sum, n) => sum + n, 0);
  if (undecryptable > 0) {
    logger.warn(
      { undecryptable: count.byToolkit, checked: count.checked, total: count.total },
      "stored credentials that no key in AGENTLLM_TOKEN_ENCRYPTION_KEY decrypts: those users must connect again (or add the key they were made with back; docs/deployment-encryption.md)",
    );
  }
  if (count.checked < count.total) {
    logger.warn(
      { checked: count.checked, total: count.total },
      "checked only the first credentials at start; `just rotate-key` checks every one",
    );
  }
  return count;
}
