import type { QueryOptions } from "../database/query-options.ts";

/**
 * Names one session. All three parts are opaque strings from the request: two users (or one
 * user with two agents) sending the same `sessionId` get two unrelated sessions.
 */
export interface SessionKey {
  readonly userId: string;
  readonly agent: string;
  readonly sessionId: string;
}

export type TurnStatus = "complete" | "partial";

export interface TurnUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

/** One request/response cycle. Turns form a tree, so edits and regenerations keep old branches. */
export interface StoredTurn {
  /** uuid */
  readonly id: string;
  /** null for a root turn (the first turn, or an edit of the first message). */
  readonly parentId: string | null;
  /** Gemini `Content` objects ({ role, parts }) as JSON: what came in from the client for this turn (usually one user message). */
  readonly input: unknown[];
  /**
   * Gemini `Content` objects the run added, in order: model functionCall contents, user
   * functionResponse contents and the final model text. What the client never sees is here.
   */
  readonly steps: unknown[];
  /** The assistant text the client received for this turn. */
  readonly answer: string;
  /** partial = the run was aborted or failed mid-way. */
  readonly status: TurnStatus;
  readonly usage: TurnUsage;
  /** ISO-8601 */
  readonly createdAt: string;
}

export type NewTurn = Omit<StoredTurn, "id" | "createdAt">;

/**
 * Where sessions live. Callers hold the session lock: the store keeps each call atomic but
 * does not order two runs of one session against each other.
 */
export interface SessionStore {
  /** The current branch, root first; [] for an unknown session or one whose head is null. */
  loadBranch(key: SessionKey, options?: QueryOptions): Promise<StoredTurn[]>;
  /**
   * Appends a turn under `turn.parentId` (null = a new root) and makes it the head, in one
   * transaction; creates the session on first use. Throws `TurnNotFoundError` (and writes
   * nothing) if the parent is not a turn of this session.
   */
  appendTurn(key: SessionKey, turn: NewTurn, options?: QueryOptions): Promise<StoredTurn>;
  /**
   * Moves the head; null empties the current branch. Throws `SessionNotFoundError` for an
   * unknown session, `TurnNotFoundError` if the turn is not in this session.
   */
  setHead(key: SessionKey, turnId: string | null, options?: QueryOptions): Promise<void>;
  /** Every turn of every branch, in append order (parents before children). */
  listTurns(key: SessionKey, options?: QueryOptions): Promise<StoredTurn[]>;
}
