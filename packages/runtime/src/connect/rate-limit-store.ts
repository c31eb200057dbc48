import type { ClientRateLimitInfo, Options, Store } from "express-rate-limit";
import { type Kysely, sql } from "kysely";
import type { Database } from "../database/schema.ts";
import { RateLimitStoreError } from "./rate-limit-store-error.ts";

/** Prefix and key together: a client address or a ticket's hash is far shorter. */
export const MAX_RATE_LIMIT_KEY_CHARS = 200;

export interface KyselyRateLimitStoreOptions {
  /** Set before each key, so two limiters on one table never share a count. */
  readonly prefix: string;
  /** The window until the limiter's `init` says its own (which it does when created). */
  readonly windowMs?: number;
  readonly now?: () => number;
}

/**
 * An express-rate-limit store in the runtime's database, so every replica on a shared Postgres
 * counts against the same budget (SQLite: the one process). One row per key: a count and the
 * end of its window. Counting is one upsert, atomic on both engines, that starts a new window
 * when the old one has passed. Before it, other keys' rows whose window has passed are deleted,
 * so the table holds at most the keys counted within the last window. Windows follow each replica's
 * clock: replicas skewed by seconds shift a window by as much, no more.
 */
export class KyselyRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  readonly #db: Kysely<Database>;
  readonly #now: () => number;
  #windowMs: number;

  constructor(db: Kysely<Database>, options: KyselyRateLimitStoreOptions) {
    this.#db = db;
    this.prefix = options.prefix;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  init(options: Options): void {
    this.#windowMs = options.windowMs;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const id = this.#key(key);
    const now = iso(this.#now());
    const row = await this.#guard(() =>
      this.#db
        .selectFrom("connect_rate_limits")
        .select(["hits", "reset_at"])
        .where("key", "=", id)
        .where("reset_at", ">", now)
        .executeTakeFirst(),
    );
    return row && info(row);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const id = this.#key(key);
    const at = this.#now();
    const now = iso(at);
    const resetAt = iso(at + this.#windowMs);
    const table = sql.table("connect_rate_limits");
    const passed = sql<boolean>`${table}.reset_at <= ${now}`;
    const row = await this.#guard(async () => {
      // Other keys' passed windows go; this key's own row is renewed in place by the upsert.
      await this.#db
        .deleteFrom("connect_rate_limits")
        .where("reset_at", "<=", now)
        .where("key", "<>", id)
        .execute();
      return this.#db
        .insertInto("connect_rate_limits")
        .values({ key: id, hits: 1, reset_at: resetAt })
        .onConflict((conflict) =>
          conflict.column("key").doUpdateSet({
            hits: sql<number>`case when ${passed} then 1 else ${table}.hits + 1 end`,
            reset_at: sql<string>`case when ${passed} then ${resetAt} else ${table}.reset_at end`,
          }),
        )
        .returning(["hits", "reset_at"])
        .executeTakeFirstOrThrow();
    });
    return info(row);
  }

  async decrement(key: string): Promise<void> {
    const id = this.#key(key);
    const now = iso(this.#now());
    await this.#guard(() =>
      this.#db
        .updateTable("connect_rate_limits")
        .set((eb) => ({ hits: eb("hits", "-", 1) }))
        .where("key", "=", id)
        .where("hits", ">", 0)
        .where("reset_at", ">", now)
        .execute(),
    );
  }

  async resetKey(key: string): Promise<void> {
    const id = this.#key(key);
    await this.#guard(() =>
      this.#db.deleteFrom("connect_rate_limits").where("key", "=", id).execute(),
    );
  }

  #key(key: string): string {
    const id = `${this.prefix}${key}`;
    if (id.length > MAX_RATE_LIMIT_KEY_CHARS) {
      // Keys are made by our own key generators: a longer one is a bug, not a client's input.
      throw new RangeError(
        `a rate-limit key has ${id.length} characters; at most ${MAX_RATE_LIMIT_KEY_CHARS}`,
      );
    }
    return id;
  }

  async #guard<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      throw new RateLimitStoreError({ cause: error });
    }
  }
}

function info(row: { hits: number; reset_at: string }): ClientRateLimitInfo {
  return { totalHits: Number(row.hits), resetTime: new Date(row.reset_at) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
