import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { LRUCache } from "lru-cache";
import type { QueryOptions } from "../database/query-options.ts";
import type { Database } from "../database/schema.ts";
import { SessionNotFoundError } from "./session-not-found-error.ts";
import type { NewTurn, SessionKey, SessionStore, StoredTurn } from "./session-store.ts";
import { TurnCache } from "./turn-cache.ts";
import { TurnNotFoundError } from "./turn-not-found-error.ts";
import { fromTurnRow, toTurnRow } from "./turn-row.ts";

/**
 * `SessionStore` on any kysely dialect (SQLite now, Postgres later): the SQL here is the
 * portable subset (ON CONFLICT, RETURNING, WITH RECURSIVE), and every id is a bound parameter.
 */
export interface KyselySessionStoreOptions {
  /** Decoded turns kept in memory (see `TurnCache`); 0 turns the cache off. */
  readonly cachedTurns?: number;
  /** Bytes of decoded turns kept in memory (their JSON size); 0 turns the cache off. */
  readonly cachedTurnBytes?: number;
  /** Sessions whose turn ids are kept in memory (see `listTurns`); 0 turns it off. */
  readonly cachedSessions?: number;
}

/** Enough for a few hundred long conversations; a turn is a few kB decoded. */
const DEFAULT_CACHED_TURNS = 20_000;
/** A tenth of the runtime's 256 MiB heap limit, whatever the turns hold. */
const DEFAULT_CACHED_TURN_BYTES = 24 * 1024 ** 2;
/** Sessions whose turn-id lists stay in memory: ids only, 36 bytes a turn. */
const DEFAULT_CACHED_SESSIONS = 2_000;
/** Ids per `IN (…)` list, well under every dialect's bound-parameter limit. */
const IDS_PER_QUERY = 500;

export class KyselySessionStore implements SessionStore {
  readonly #db: Kysely<Database>;
  readonly #turns: TurnCache;
  readonly #turnIdsBySession: LRUCache<string, readonly string[]> | undefined;

  constructor(db: Kysely<Database>, options: KyselySessionStoreOptions = {}) {
    this.#db = db;
    this.#turns = new TurnCache({
      maxTurns: options.cachedTurns ?? DEFAULT_CACHED_TURNS,
      maxBytes: options.cachedTurnBytes ?? DEFAULT_CACHED_TURN_BYTES,
    });
    const sessions = options.cachedSessions ?? DEFAULT_CACHED_SESSIONS;
    this.#turnIdsBySession = sessions > 0 ? new LRUCache({ max: sessions }) : undefined;
  }

  async loadBranch(key: SessionKey, options?: QueryOptions): Promise<StoredTurn[]> {
    options?.signal?.throwIfAborted();
    const session = await findSession(this.#db, key);
    if (session?.head_turn_id == null) return [];
    const headId = session.head_turn_id;
    // Walks parent links from the head only, so abandoned branches (which may hold large tool
    // results) are never read. Parents always have a lower seq, so seq order is root first.
    const rows = await this.#db
      .withRecursive("branch(id, parent_id)", (db) =>
        db
          .selectFrom("session_turns")
          .where("session_pk", "=", session.id)
          .where("id", "=", headId)
          .select(["id", "parent_id"])
          .unionAll((db) =>
            db
              .selectFrom("session_turns as t")
              .innerJoin("branch as b", "b.parent_id", "t.id")
              .select(["t.id", "t.parent_id"]),
          ),
      )
      .selectFrom("session_turns")
      .where("session_pk", "=", session.id)
      .where("id", "in", (eb) => eb.selectFrom("branch").select("branch.id"))
      .selectAll()
      .orderBy("seq")
      .execute();
    return rows.map(fromTurnRow);
  }

  async appendTurn(key: SessionKey, turn: NewTurn, options?: QueryOptions): Promise<StoredTurn> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    const id = randomUUID();
    const now = new Date().toISOString();

    const stored = await this.#db.transaction().execute(async (trx) => {
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

      // One UPDATE both numbers the turn and moves the head; on Postgres it also row-locks the
      // session, so concurrent appends queue instead of taking the same seq.
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
      // Read back through the same mapping as loadBranch, so callers see exactly what a
      // later load returns (JSON drops `undefined`, for one).
      return fromTurnRow({ ...row, parent_id: turn.parentId });
    });
    // Cached only once committed.
    return this.#turns.add(stored);
  }

  async setHead(key: SessionKey, turnId: string | null, options?: QueryOptions): Promise<void> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    await this.#db.transaction().execute(async (trx) => {
      // Write first: SQLite then takes the write lock up front (a read-then-write transaction
      // can fail with SQLITE_BUSY instead of waiting), and Postgres locks the session row.
      const session = await trx
        .updateTable("sessions")
        .set({ updated_at: new Date().toISOString() })
        .where((eb) => eb.and(keyColumns(key)))
        .returning("id")
        .executeTakeFirst();
      if (session === undefined) throw new SessionNotFoundError(key);
      if (turnId !== null) await assertTurnInSession(trx, key, session.id, turnId);
      await trx
        .updateTable("sessions")
        .set({ head_turn_id: turnId })
        .where("id", "=", session.id)
        .execute();
      signal?.throwIfAborted();
    });
  }

  async listTurns(key: SessionKey, options?: QueryOptions): Promise<StoredTurn[]> {
    options?.signal?.throwIfAborted();
    const ids = await this.#turnIds(key);
    // Only turns this process has not decoded yet are read in full. Hits are taken now, so
    // turns evicted while the misses load (a session larger than the cache) are not lost.
    const turns = new Map<string, StoredTurn>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.#turns.get(id);
      if (cached) turns.set(id, cached);
      else missing.push(id);
    }
    for (let start = 0; start < missing.length; start += IDS_PER_QUERY) {
      const rows = await this.#db
        .selectFrom("session_turns")
        .where("id", "in", missing.slice(start, start + IDS_PER_QUERY))
        .selectAll()
        .execute();
      for (const row of rows) turns.set(row.id, this.#turns.add(fromTurnRow(row)));
    }
    return ids.map((id) => {
      const turn = turns.get(id);
      if (!turn) throw new Error(`turn ${id} vanished while being read`);
      return turn;
    });
  }

  /**
   * The session's turn ids in append order. Turns are never removed and `seq` numbers them
   * 1…turn_count, so the ids this process saw stay valid and only turns appended since (by
   * any process) are read: one indexed row per request however long the conversation.
   */
  async #turnIds(key: SessionKey): Promise<readonly string[]> {
    const session = await findSession(this.#db, key);
    if (session === undefined) return [];
    const known = this.#turnIdsBySession?.get(session.id);
    const have = known?.length ?? 0;
    if (have === session.turn_count) return known ?? [];
    const rows = await this.#db
      .selectFrom("session_turns")
      .where("session_pk", "=", session.id)
      .where("seq", ">", have)
      .select("id")
      .orderBy("seq")
      .execute();
    const ids = [...(known ?? []), ...rows.map((row) => row.id)];
    this.#turnIdsBySession?.set(session.id, ids);
    return ids;
  }
}

function keyColumns(key: SessionKey) {
  return { user_id: key.userId, agent: key.agent, session_id: key.sessionId };
}

function findSession(db: Kysely<Database>, key: SessionKey) {
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
