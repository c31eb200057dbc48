import type { Insertable, Selectable } from "kysely";
import type { SessionTurnsTable } from "../database/schema.ts";
import type { NewTurn, StoredTurn } from "./session-store.ts";

/** A `session_turns` row as read back. */
export type TurnRow = Selectable<SessionTurnsTable>;

/** Builds the row for a new turn; rejects what SQLite would take but Postgres would not. */
export function toTurnRow(
  turn: NewTurn,
  fields: { id: string; sessionPk: string; seq: number; createdAt: string },
): Insertable<SessionTurnsTable> {
  for (const [name, count] of Object.entries(turn.usage)) {
    // SQLite would quietly store 1.5 or -1 in an integer column; Postgres would fail later.
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`turn usage ${name} must be a non-negative integer, got ${count}`);
    }
  }
  return {
    id: fields.id,
    session_pk: fields.sessionPk,
    parent_id: turn.parentId,
    prefix_key: turn.prefixKey,
    seq: fields.seq,
    input: JSON.stringify(turn.input),
    steps: JSON.stringify(turn.steps),
    answer: turn.answer,
    status: turn.status,
    prompt_tokens: turn.usage.promptTokens,
    completion_tokens: turn.usage.completionTokens,
    total_tokens: turn.usage.totalTokens,
    created_at: fields.createdAt,
  };
}

export function fromTurnRow(row: TurnRow): StoredTurn {
  return {
    id: row.id,
    parentId: row.parent_id,
    prefixKey: row.prefix_key ?? "",
    input: parseJsonArray(row.input, row.id, "input"),
    steps: parseJsonArray(row.steps, row.id, "steps"),
    answer: row.answer,
    status: row.status,
    usage: {
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      totalTokens: row.total_tokens,
    },
    createdAt: row.created_at,
  };
}

export function parseJsonArray(text: string, turnId: string, column: string): unknown[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) {
    throw new TypeError(`session turn ${turnId}: column ${column} does not hold a JSON array`);
  }
  return value;
}
