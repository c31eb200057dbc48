import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";

/**
 * Which connect tickets were used, so each works once, also across restarts and replicas (the
 * table is in the shared database). A row lives until its ticket expires: after that the
 * signature check refuses the ticket anyway. Expired rows are deleted by the next `claim`.
 */
export interface UsedTickets {
  isUsed(id: string): Promise<boolean>;
  /** Marks the ticket used; false when it already was (another request won). */
  claim(id: string, expiresAt: number): Promise<boolean>;
  /** Undoes a claim whose credential could not be stored, so the user may try again. */
  release(id: string): Promise<void>;
}

export class KyselyUsedTickets implements UsedTickets {
  readonly #db: Kysely<Database>;
  readonly #now: () => number;

  constructor(db: Kysely<Database>, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
  }

  async isUsed(id: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom("connect_tickets_used")
      .select("id")
      .where("id", "=", id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async claim(id: string, expiresAt: number): Promise<boolean> {
    const now = new Date(this.#now()).toISOString();
    await this.#db.deleteFrom("connect_tickets_used").where("expires_at", "<", now).execute();
    // ON CONFLICT DO NOTHING: SQLite and Postgres alike; the primary key settles a race.
    const result = await this.#db
      .insertInto("connect_tickets_used")
      .values({ id, expires_at: new Date(expiresAt * 1000).toISOString(), used_at: now })
      .onConflict((conflict) => conflict.column("id").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async release(id: string): Promise<void> {
    await this.#db.deleteFrom("connect_tickets_used").where("id", "=", id).execute();
  }
}
