import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";

export interface PendingSignIn {
  readonly state: string;
  readonly userId: string;
  readonly toolkit: string;
  readonly codeVerifier: string;
}

/**
 * OAuth sign-ins between the redirect to Google and the callback, in the shared database so the
 * callback may land on any replica. `take` deletes as it reads: a state answers one callback.
 */
export class PendingAuthorizations {
  readonly #db: Kysely<Database>;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(db: Kysely<Database>, options: { ttlMs: number; now?: () => number }) {
    this.#db = db;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  async save(signIn: PendingSignIn): Promise<void> {
    const now = this.#now();
    await this.#db
      .deleteFrom("oauth_pending")
      .where("expires_at", "<", new Date(now).toISOString())
      .execute();
    await this.#db
      .insertInto("oauth_pending")
      .values({
        state: signIn.state,
        user_id: signIn.userId,
        toolkit: signIn.toolkit,
        code_verifier: signIn.codeVerifier,
        expires_at: new Date(now + this.#ttlMs).toISOString(),
      })
      .execute();
  }

  /** The sign-in this state started, once; undefined if unknown, taken or expired. */
  async take(state: string): Promise<PendingSignIn | undefined> {
    // DELETE … RETURNING (SQLite 3.35+, Postgres): of two callbacks with one state, one wins.
    const row = await this.#db
      .deleteFrom("oauth_pending")
      .where("state", "=", state)
      .returningAll()
      .executeTakeFirst();
    if (!row || row.expires_at < new Date(this.#now()).toISOString()) return undefined;
    return {
      state: row.state,
      userId: row.user_id,
      toolkit: row.toolkit,
      codeVerifier: row.code_verifier,
    };
  }
}
