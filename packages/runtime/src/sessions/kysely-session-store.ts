import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { QueryOptions } from "../database/query-options.ts";
import type { Database } from "../database/schema.ts";
import { SessionNotFoundError } from "./session-not-found-error.ts";
import type { NewTurn, SessionKey, SessionStore, StoredTurn } from "./session-store.ts";
import { TurnNotFoundError } from "./turn-not-found-error.ts";
import { fromTurnRow, toTurnRow } from "./turn-row.ts";

/**
 * `SessionStore` on any kysely dialect (SQLite now, Postgres later): the SQL here is the
 * portable subset (ON CONFLICT, RETURNING, WITH RECURSIVE), and every id is a bound parameter.
 */
export class KyselySessionStore implements SessionStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
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
    const rows = await this.#db
      .selectFrom("session_turns as t")
      .innerJoin("sessions as s", "s.id", "t.session_pk")
      .where("s.user_id", "=", key.userId)
      .where("s.agent", "=", key.agent)
      .where("s.session_id", "=", key.sessionId)
      .selectAll("t")
      .orderBy("t.seq")
      .execute();
    return rows.map(fromTurnRow);
  }
}

function keyColumns(key: SessionKey) {
  return { user_id: key.userId, agent: key.agent, session_id: key.sessionId };
}

function findSession(db: Kysely<Database>, key: SessionKey) {
  return db
    .selectFrom("sessions")
    .where((eb) => eb.and(keyColumns(key)))
    .select(["id", "head_turn_id"])
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
