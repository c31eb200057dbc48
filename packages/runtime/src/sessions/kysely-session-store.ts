import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import type { QueryOptions } from "../database/query-options.ts";
import type { Database } from "../database/schema.ts";
import type {
  NewTurn,
  SessionKey,
  SessionStore,
  StoredTurn,
  TurnSummary,
} from "./session-store.ts";
import { StepsCache } from "./steps-cache.ts";
import { TurnNotFoundError } from "./turn-not-found-error.ts";
import { fromTurnRow, parseJsonArray, toTurnRow } from "./turn-row.ts";

export interface KyselySessionStoreOptions {
  /** Turns whose decoded steps are kept in memory (see `StepsCache`); 0 turns the cache off. */
  readonly cachedTurns?: number;
  /** Bytes of decoded steps kept in memory (their JSON size); 0 turns the cache off. */
  readonly cachedStepBytes?: number;
  /** Most turns `findTurns` returns for one prefix key (see there). */
  readonly turnsPerKey?: number;
}

/**
 * Turns with one prefix key that `findTurns` returns: a regenerate that said the same thing
 * word for word, a message sent again after an error. Past it the oldest partial ones are left
 * out; at worst a chain then ends early and the older messages reach the model as the client
 * sent them. With 5,000 answers in a history (the message limit), at most 40,000 small rows.
 */
const DEFAULT_TURNS_PER_KEY = 8;

/** Enough for a few hundred long conversations; a turn's steps are a few kB decoded. */
const DEFAULT_CACHED_TURNS = 20_000;
/** A tenth of the runtime's 256 MiB heap limit, whatever the steps hold. */
const DEFAULT_CACHED_STEP_BYTES = 24 * 1024 ** 2;
/** Values per `IN (…)` list, well under every dialect's bound-parameter limit. */
const VALUES_PER_QUERY = 500;

/**
 * `SessionStore` on any kysely dialect (SQLite now, Postgres later): the SQL here is the
 * portable subset (ON CONFLICT, RETURNING, length()), and every id is a bound parameter.
 */
export class KyselySessionStore implements SessionStore {
  readonly #db: Kysely<Database>;
  readonly #steps: StepsCache;
  readonly #turnsPerKey: number;

  constructor(db: Kysely<Database>, options: KyselySessionStoreOptions = {}) {
    this.#db = db;
    this.#turnsPerKey = options.turnsPerKey ?? DEFAULT_TURNS_PER_KEY;
    this.#steps = new StepsCache({
      maxTurns: options.cachedTurns ?? DEFAULT_CACHED_TURNS,
      maxBytes: options.cachedStepBytes ?? DEFAULT_CACHED_STEP_BYTES,
    });
  }

  async findTurns(
    key: SessionKey,
    prefixKeys: readonly string[],
    options?: QueryOptions,
  ): Promise<TurnSummary[]> {
    options?.signal?.throwIfAborted();
    if (prefixKeys.length === 0) return [];
    const session = await findSession(this.#db, key);
    if (session === undefined) return [];
    const found: TurnSummary[] = [];
    for (const keys of chunks(prefixKeys)) {
      // Indexed by (session_pk, prefix_key); the contents stay on disk. Of turns sharing a key
      // (the same message sent again and answered alike) only the best few come back: complete
      // ones first, then the newest, so no repeated message can make this read grow.
      const rows = await this.#db
        .selectFrom((db) =>
          db
            .selectFrom("session_turns")
            .where("session_pk", "=", session.id)
            .where("prefix_key", "in", keys)
            .select((eb) => [
              "id",
              "parent_id",
              "prefix_key",
              "status",
              "seq",
              sql<number>`length(steps)`.as("steps_size"),
              eb.fn
                .agg<number>("row_number")
                .over((over) =>
                  over
                    .partitionBy("prefix_key")
                    .orderBy(sql`case when status = 'complete' then 0 else 1 end`)
                    .orderBy("seq", "desc"),
                )
                .as("rank"),
            ])
            .as("matches"),
        )
        .where("rank", "<=", this.#turnsPerKey)
        .select(["id", "parent_id", "prefix_key", "status", "seq", "steps_size"])
        .execute();
      for (const row of rows) {
        found.push({
          id: row.id,
          parentId: row.parent_id,
          prefixKey: row.prefix_key ?? "",
          status: row.status,
          seq: row.seq,
          stepsSize: Number(row.steps_size),
        });
      }
    }
    return found;
  }

  async loadSteps(
    key: SessionKey,
    turnIds: readonly string[],
    options?: QueryOptions,
  ): Promise<ReadonlyMap<string, readonly unknown[]>> {
    options?.signal?.throwIfAborted();
    const steps = new Map<string, readonly unknown[]>();
    if (turnIds.length === 0) return steps;
    const session = await findSession(this.#db, key);
    if (session === undefined) return steps;
    // Cached by session and turn, so an id of another session's turn never hits the cache;
    // misses are read under this session's key like everything else.
    const cacheKey = (id: string) => `${session.id}/${id}`;
    const missing: string[] = [];
    for (const id of new Set(turnIds)) {
      const cached = this.#steps.get(cacheKey(id));
      if (cached) steps.set(id, cached);
      else missing.push(id);
    }
    for (const ids of chunks(missing)) {
      const rows = await this.#db
        .selectFrom("session_turns")
        .where("session_pk", "=", session.id)
        .where("id", "in", ids)
        .select(["id", "steps"])
        .execute();
      for (const row of rows) {
        const parsed = parseJsonArray(row.steps, row.id, "steps");
        steps.set(row.id, this.#steps.add(cacheKey(row.id), parsed, row.steps.length));
      }
    }
    return steps;
  }

  async appendTurn(key: SessionKey, turn: NewTurn, options?: QueryOptions): Promise<StoredTurn> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const id = randomUUID();
    const now = new Date().toISOString();

    return this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto("sessions")
        .values({
          id: randomUUID(),
          user_id: key.userId,
          agent: key.agent,
          session_id: key.sessionId,
          head_turn_id: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((conflict) => conflict.columns(["user_id", "agent", "session_id"]).doNothing())
        .execute();

      // One UPDATE both numbers the turn and records the latest turn; on Postgres it also
      // row-locks the session, so concurrent appends queue instead of taking the same seq.
      const session = await trx
        .updateTable("sessions")
        .set((eb) => ({
          turn_count: eb("turn_count", "+", 1),
          head_turn_id: id,
          updated_at: now,
        }))
        .where((eb) => eb.and(keyColumns(key)))
        .returning(["id", "turn_count"])
        .executeTakeFirstOrThrow();

      if (turn.parentId !== null) {
        // The foreign key would catch this too, but as an anonymous constraint error.
        await assertTurnInSession(trx, key, session.id, turn.parentId);
      }

      const row = toTurnRow(turn, {
        id,
        sessionPk: session.id,
        seq: session.turn_count,
        createdAt: now,
      });
      await trx.insertInto("session_turns").values(row).execute();

      // Throwing here rolls everything back, the session row included.
      signal?.throwIfAborted();
      // Read back through the same mapping as a later read, so callers see exactly what is
      // stored (JSON drops `undefined`, for one).
      return fromTurnRow({ ...row, parent_id: turn.parentId });
    });
  }
}

function* chunks<T>(values: readonly T[]): Generator<T[]> {
  for (let start = 0; start < values.length; start += VALUES_PER_QUERY) {
    yield values.slice(start, start + VALUES_PER_QUERY);
  }
}

function keyColumns(key: SessionKey) {
  return { user_id: key.userId, agent: key.agent, session_id: key.sessionId };
}

export function findSession(db: Kysely<Database>, key: SessionKey) {
  return db
    .selectFrom("sessions")
    .where((eb) => eb.and(keyColumns(key)))
    .select(["id", "head_turn_id", "turn_count"])
    .executeTakeFirst();
}

async function assertTurnInSession(
  db: Kysely<Database>,
  key: SessionKey,
  sessionPk: string,
  turnId: string,
): Promise<void> {
  const found = await db
    .selectFrom("session_turns")
    .where("session_pk", "=", sessionPk)
    .where("id", "=", turnId)
    .select("id")
    .executeTakeFirst();
  if (found === undefined) throw new TurnNotFoundError(key, turnId);
}
