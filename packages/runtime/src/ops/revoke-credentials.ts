import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";
import { assertKey } from "../vault/credential-limits.ts";

/**
 * `just revoke USER [TOOLKIT]`: removes the user's credential for one toolkit, or all of them,
 * and returns the toolkits removed (so the command can say what it did). Needs no key: it only
 * deletes rows. The user is asked to connect again the next time a tool needs one.
 */
export async function revokeCredentials(
  db: Kysely<Database>,
  userId: string,
  toolkit?: string,
): Promise<string[]> {
  assertKey(userId, toolkit);
  return db.transaction().execute(async (trx) => {
    let selected = trx.selectFrom("credentials").select("toolkit").where("user_id", "=", userId);
    let deleted = trx.deleteFrom("credentials").where("user_id", "=", userId);
    if (toolkit !== undefined) {
      selected = selected.where("toolkit", "=", toolkit);
      deleted = deleted.where("toolkit", "=", toolkit);
    }
    const toolkits = (await selected.orderBy("toolkit").execute()).map((row) => row.toolkit);
    await deleted.execute();
    return toolkits;
  });
}
