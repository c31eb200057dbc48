import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";
import { findSession } from "./kysely-session-store.ts";
import type { SessionKey, StoredTurn } from "./session-store.ts";
import { fromTurnRow } from "./turn-row.ts";

export interface SessionContents {
  /** The latest turn appended; null for an unknown session. */
  readonly latestTurnId: string | null;
  /** Every turn of every branch, in append order (parents before children). */
  readonly turns: readonly StoredTurn[];
}

/**
 * Reads a whole session: for operators, tests and benchmarks looking at what was stored. It
 * loads every turn, so requests never call it (they read by prefix key, `SessionStore`).
 */
export async function readSession(db: Kysely<Database>, key: SessionKey): Promise<SessionContents> {
  const session = await findSession(db, key);
  if (session === undefined) return { latestTurnId: null, turns: [] };
  const rows = await db
    .selectFrom("session_turns")
    .where("session_pk", "=", session.id)
    .selectAll()
    .orderBy("seq")
    .execute();
  return { latestTurnId: session.head_turn_id, turns: rows.map(fromTurnRow) };
}

/** The turns from a root to `turnId` (default: the latest), root first. */
export function branchOf(contents: SessionContents, turnId = contents.latestTurnId): StoredTurn[] {
  const byId = new Map(contents.turns.map((turn) => [turn.id, turn]));
  const branch: StoredTurn[] = [];
  for (let turn = turnId ? byId.get(turnId) : undefined; turn; ) {
    branch.unshift(turn);
    turn = turn.parentId ? byId.get(turn.parentId) : undefined;
  }
  return branch;
}
