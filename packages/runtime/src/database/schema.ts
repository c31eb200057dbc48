import type { ColumnType, Generated } from "kysely";

/**
 * Every table the runtime owns, as kysely sees it. Stores take `Kysely<Database>`, so a
 * column added here without a migration (or the reverse) fails the type-check, not production.
 *
 * Portability rules (SQLite today, Postgres later): ids are uuids made in code, timestamps are
 * ISO-8601 strings, JSON is stored as text and parsed by the store.
 */
export interface Database {
  sessions: SessionsTable;
  session_turns: SessionTurnsTable;
  user_settings: UserSettingsTable;
  credentials: CredentialsTable;
  connect_tickets_used: ConnectTicketsUsedTable;
  oauth_pending: OAuthPendingTable;
  pending_approvals: PendingApprovalsTable;
  connect_rate_limits: ConnectRateLimitsTable;
}

/** ISO-8601 timestamp written once, on insert. */
type CreatedAt = ColumnType<string, string, never>;

/** Text holding `JSON.stringify` output; the store parses it. */
export type JsonText = string;

/** One conversation of one user with one agent. */
export interface SessionsTable {
  /** Internal uuid; turns point here so the client's (opaque, long) ids are stored once. */
  id: ColumnType<string, string, never>;
  user_id: ColumnType<string, string, never>;
  agent: ColumnType<string, string, never>;
  /** The client's session id (Open WebUI chat id); unique per (user_id, agent). */
  session_id: ColumnType<string, string, never>;
  /** The latest turn appended (for operators; requests find turns by prefix key). */
  head_turn_id: string | null;
  /** Turns ever appended; bumped by each append, which also gives turns their `seq`. */
  turn_count: Generated<number>;
  created_at: CreatedAt;
  updated_at: string;
}

/** One request/response cycle; turns form a tree through `parent_id`. Rows never change. */
export interface SessionTurnsTable {
  id: ColumnType<string, string, never>;
  session_pk: ColumnType<string, string, never>;
  parent_id: ColumnType<string | null, string | null, never>;
  /** 1-based append order within the session: a parent always has a lower seq than its child. */
  seq: ColumnType<number, number, never>;
  /**
   * Hash of the conversation as the client showed it up to this turn's answer
   * (`conversation/history-key.ts`); how requests find the turn. Null only for a turn written
   * before 0003 that its backfill could not read.
   */
  prefix_key: ColumnType<string | null, string, never>;
  input: ColumnType<JsonText, JsonText, never>;
  steps: ColumnType<JsonText, JsonText, never>;
  answer: ColumnType<string, string, never>;
  status: ColumnType<"complete" | "partial", "complete" | "partial", never>;
  prompt_tokens: ColumnType<number, number, never>;
  completion_tokens: ColumnType<number, number, never>;
  total_tokens: ColumnType<number, number, never>;
  created_at: CreatedAt;
}

/** Small per-user values of one namespace (a toolkit name); not for secrets. */
export interface UserSettingsTable {
  user_id: ColumnType<string, string, never>;
  namespace: ColumnType<string, string, never>;
  key: ColumnType<string, string, never>;
  value: string;
  updated_at: string;
}

/**
 * One user's credential for one toolkit (`vault/`). Secret values are only ever in `secrets`,
 * each a Fernet token; nothing else here is secret.
 */
export interface CredentialsTable {
  user_id: ColumnType<string, string, never>;
  toolkit: ColumnType<string, string, never>;
  kind: "api-token" | "oauth2";
  /** JSON object: field name → Fernet token of the value. */
  secrets: JsonText;
  /** JSON object: field name → plain value (server URL, scopes, expiry). */
  metadata: JsonText;
  connected_at: CreatedAt;
  updated_at: string;
}

/** A connect ticket's id once its form was submitted; deleted (lazily) after it expires. */
export interface ConnectTicketsUsedTable {
  id: ColumnType<string, string, never>;
  expires_at: ColumnType<string, string, never>;
  used_at: CreatedAt;
}

/** An OAuth sign-in between the redirect to the provider and its callback (minutes). */
export interface OAuthPendingTable {
  /** The `state` sent to the provider: random, single-use. */
  state: ColumnType<string, string, never>;
  user_id: ColumnType<string, string, never>;
  toolkit: ColumnType<string, string, never>;
  /** PKCE verifier: useless without the code, which only our callback receives. */
  code_verifier: ColumnType<string, string, never>;
  expires_at: ColumnType<string, string, never>;
}

/**
 * A side effect waiting for the user's approval (approval/). Everything but `consumed_at` and
 * `decision` is covered by `mac`, so a row changed in the database never runs.
 */
export interface PendingApprovalsTable {
  id: ColumnType<string, string, never>;
  user_id: ColumnType<string, string, never>;
  agent: ColumnType<string, string, never>;
  session_id: ColumnType<string, string, never>;
  /** The conversation key of the answer that asked (`conversation/history-key.ts`). */
  prefix_key: ColumnType<string, string, never>;
  /** JSON array of `{callId, name, args}`: exactly what runs once approved. */
  calls: ColumnType<JsonText, JsonText, never>;
  created_at: CreatedAt;
  expires_at: ColumnType<string, string, never>;
  /** base64url HMAC-SHA256 over the canonical form of the fields above. */
  mac: ColumnType<string, string, never>;
  /** Set once, when the request is approved, declined, expired or superseded. */
  consumed_at: string | null;
  decision: "approved" | "declined" | "expired" | "moved-on" | "superseded" | "invalid" | null;
}

/** Requests counted against one rate-limit key in its current window (connect pages). */
export interface ConnectRateLimitsTable {
  /** The limiter's prefix and its key: a client address or a ticket's hash, never a ticket. */
  key: ColumnType<string, string, never>;
  hits: number;
  /** ISO-8601 end of the window; a count at or after it starts a new one. */
  reset_at: string;
}
