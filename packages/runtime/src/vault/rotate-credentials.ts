import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";
import { decodeCredentialRow } from "./credential-row.ts";
import { InvalidFernetTokenError } from "./fernet.ts";
import type { KeyRing } from "./key-ring.ts";

/** Rows read at a time, so memory stays flat whatever the table's size. */
export const PAGE_ROWS = 500;

export interface RotationResult {
  /** Every credential row looked at. */
  readonly rows: number;
  /** Re-encrypted under the first key now. */
  readonly reencrypted: number;
  /** Already wholly under the first key: left alone, which makes a second run a no-op. */
  readonly current: number;
  /** Toolkit → rows no configured key decrypts: left as they are (their users reconnect). */
  readonly undecryptable: Readonly<Record<string, number>>;
}

/**
 * `just rotate-key`: re-encrypts every credential with the ring's first key, in one
 * transaction, so afterwards the other keys can be removed. Neither the dates nor the metadata
 * change. Safe to run again, and beside a running runtime (SQLite serialises the writes).
 */
export async function rotateCredentials(
  db: Kysely<Database>,
  keys: KeyRing,
): Promise<RotationResult> {
  return db.transaction().execute(async (trx) => {
    let rows = 0;
    let reencrypted = 0;
    let current = 0;
    const undecryptable: Record<string, number> = {};
    let after: { userId: string; toolkit: string } | undefined;
    for (;;) {
      let query = trx
        .selectFrom("credentials")
        .selectAll()
        .orderBy("user_id")
        .orderBy("toolkit")
        .limit(PAGE_ROWS);
      if (after) {
        const { userId, toolkit } = after;
        query = query.where((eb) =>
          eb.or([
            eb("user_id", ">", userId),
            eb.and([eb("user_id", "=", userId), eb("toolkit", ">", toolkit)]),
          ]),
        );
      }
      const page = await query.execute();
      for (const row of page) {
        rows++;
        const tokens = Object.entries(decodeCredentialRow(row).tokens);
        const plain = decryptAll(keys, tokens);
        if (plain === undefined) {
          undecryptable[row.toolkit] = (undecryptable[row.toolkit] ?? 0) + 1;
          continue;
        }
        if (plain.every(({ keyIndex }) => keyIndex === 0)) {
          current++;
          continue;
        }
        const fresh = Object.fromEntries(
          plain.map(({ field, plaintext }) => [field, keys.encrypt(plaintext)]),
        );
        await trx
          .updateTable("credentials")
          .set({ secrets: JSON.stringify(fresh) })
          .where("user_id", "=", row.user_id)
          .where("toolkit", "=", row.toolkit)
          .execute();
        reencrypted++;
      }
      const last = page.at(-1);
      if (page.length < PAGE_ROWS || !last) break;
      after = { userId: last.user_id, toolkit: last.toolkit };
    }
    return { rows, reencrypted, current, undecryptable };
  });
}

/** Every field's plaintext and the key that opened it; undefined when any field does not open. */
function decryptAll(
  keys: KeyRing,
  tokens: ReadonlyArray<[string, string]>,
): Array<{ field: string; plaintext: string; keyIndex: number }> | undefined {
  if (tokens.length === 0) return undefined;
  try {
    return tokens.map(([field, token]) => ({ field, ...keys.decrypt(token) }));
  } catch (error) {
    if (error instanceof InvalidFernetTokenError) return undefined;
    throw error;
  }
}
