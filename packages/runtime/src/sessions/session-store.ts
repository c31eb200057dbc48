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
  /**
   * The hash of the conversation as the client shows it, up to and including this turn's answer
   * (`conversation/history-key.ts`): how a later request finds this turn.
   */
  readonly prefixKey: string;
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

/** What a request needs to know about a stored turn before deciding to read its steps. */
export interface TurnSummary {
  readonly id: string;
  readonly parentId: string | null;
  readonly prefixKey: string;
  readonly status: TurnStatus;
  /** Append order within the session: newer turns have higher numbers. */
  readonly seq: number;
  /** Size of the stored steps (characters of their JSON), to bound what a request reads. */
  readonly stepsSize: number;
}

/**
 * Where sessions live. A request reads only the turns its history names (by prefix key), and of
 * those only the steps it uses, so a session's size never decides a request's memory.
 * Callers hold the session lock: the store keeps each call atomic but does not order two runs of
 * one session against each other.
 */
export interface SessionStore {
  /**
   * The session's turns whose prefix key is one of `prefixKeys` (any order, without contents);
   * [] for an unknown session.
   */
  findTurns(
    key: SessionKey,
    prefixKeys: readonly string[],
    options?: QueryOptions,
  ): Promise<TurnSummary[]>;
  /**
   * The steps of these turns of this session, by turn id (ids of other sessions are absent).
   * Returned contents are frozen and may be shared with other requests.
   */
  loadSteps(
    key: SessionKey,
    turnIds: readonly string[],
    options?: QueryOptions,
  ): Promise<ReadonlyMap<string, readonly unknown[]>>;
  /**
   * Appends a turn under `turn.parentId` (null = a new root) in one transaction; creates the
   * session on first use. Throws `TurnNotFoundError` (and writes nothing) if the parent is not
   * a turn of this session.
   */
  appendTurn(key: SessionKey, turn: NewTurn, options?: QueryOptions): Promise<StoredTurn>;
}
