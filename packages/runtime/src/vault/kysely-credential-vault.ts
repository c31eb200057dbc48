import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";
import type { Logger } from "../logger.ts";
import { assertCredential, assertKey } from "./credential-limits.ts";
import { type CredentialRow, decodeCredentialRow } from "./credential-row.ts";
import type {
  CredentialSummary,
  CredentialVault,
  NewCredential,
  StoredCredential,
} from "./credential-vault.ts";
import type { KeyRing } from "./key-ring.ts";

export interface KyselyCredentialVaultOptions {
  /** Where a credential no configured key opens is reported (without any value). */
  readonly logger?: Pick<Logger, "warn">;
  /** The clock for `connectedAt` / `updatedAt`; tests fix it. */
  readonly now?: () => Date;
}

/**
 * `CredentialVault` on the `credentials` table, for any kysely dialect: every secret field is
 * its own Fernet token under the ring's first key, metadata plain JSON.
 */
export class KyselyCredentialVault implements CredentialVault {
  readonly #db: Kysely<Database>;
  readonly #keys: KeyRing;
  readonly #logger: Pick<Logger, "warn"> | undefined;
  readonly #now: () => Date;

  constructor(db: Kysely<Database>, keys: KeyRing, options: KyselyCredentialVaultOptions = {}) {
    this.#db = db;
    this.#keys = keys;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => new Date());
  }

  async get(userId: string, toolkit: string): Promise<StoredCredential | undefined> {
    assertKey(userId, toolkit);
    const row = await this.#db
      .selectFrom("credentials")
      .selectAll()
      .where("user_id", "=", userId)
      .where("toolkit", "=", toolkit)
      .executeTakeFirst();
    if (!row) return undefined;
    const decoded = decodeCredentialRow(row);
    const secrets: Record<string, string> = {};
    try {
      const fields = Object.entries(decoded.tokens);
      if (fields.length === 0) throw new Error("the row holds no readable secret field");
      for (const [field, token] of fields) {
        secrets[field] = this.#keys.decrypt(token).plaintext;
      }
    } catch (error) {
      // The user is asked to connect again; the row stays until then (or until an operator
      // adds the key back). Who and which toolkit, never a value or a token.
      this.#logger?.warn(
        { userId, toolkit, reason: (error as Error).message },
        "a stored credential does not decrypt with any configured key; the user must connect again",
      );
      return undefined;
    }
    return {
      userId,
      toolkit,
      kind: decoded.kind,
      secrets,
      metadata: decoded.metadata,
      connectedAt: decoded.connectedAt,
      updatedAt: decoded.updatedAt,
    };
  }

  async put(userId: string, toolkit: string, credential: NewCredential): Promise<void> {
    assertCredential(userId, toolkit, credential);
    const tokens = Object.fromEntries(
      Object.entries(credential.secrets).map(([field, value]) => [
        field,
        this.#keys.encrypt(value),
      ]),
    );
    const now = this.#now().toISOString();
    const values = {
      kind: credential.kind,
      secrets: JSON.stringify(tokens),
      metadata: JSON.stringify({ ...credential.metadata }),
      updated_at: now,
    };
    await this.#db
      .insertInto("credentials")
      .values({ user_id: userId, toolkit, connected_at: now, ...values })
      .onConflict((conflict) => conflict.columns(["user_id", "toolkit"]).doUpdateSet(values))
      .execute();
  }

  async remove(userId: string, toolkit?: string): Promise<number> {
    assertKey(userId, toolkit);
    let query = this.#db.deleteFrom("credentials").where("user_id", "=", userId);
    if (toolkit !== undefined) query = query.where("toolkit", "=", toolkit);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async list(filter: { readonly userId?: string } = {}): Promise<CredentialSummary[]> {
    return listCredentials(this.#db, filter);
  }
}

/**
 * Every stored credential's summary, by user then toolkit: never a secret (nor its token), so
 * it needs no key; `just tokens` reads the database through it.
 */
export async function listCredentials(
  db: Kysely<Database>,
  { userId }: { readonly userId?: string } = {},
): Promise<CredentialSummary[]> {
  let query = db.selectFrom("credentials").selectAll().orderBy("user_id").orderBy("toolkit");
  if (userId !== undefined) query = query.where("user_id", "=", userId);
  return (await query.execute()).map((row: CredentialRow) => {
    const decoded = decodeCredentialRow(row);
    return {
      userId: row.user_id,
      toolkit: row.toolkit,
      kind: decoded.kind,
      metadata: decoded.metadata,
      secretFields: Object.keys(decoded.tokens),
      connectedAt: decoded.connectedAt,
      updatedAt: decoded.updatedAt,
    };
  });
}
