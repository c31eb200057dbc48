import { type Kysely, sql } from "kysely";
import type { Database } from "../database/schema.ts";
import type { CredentialSummary } from "../vault/credential-vault.ts";
import { listCredentials } from "../vault/kysely-credential-vault.ts";

/** What the runtime keeps for one user with one agent: chats, turns, and the tokens they cost. */
export interface AgentUsage {
  readonly agent: string;
  readonly chats: number;
  readonly turns: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly lastActive: string;
}

/** One connected toolkit: kind, plain metadata, field names and dates; never a secret. */
export type ConnectedToolkit = Omit<CredentialSummary, "userId">;

/**
 * Everything stored for one user, without any stored content: counts, totals, setting names,
 * connected toolkits.
 */
export interface UserInventory {
  readonly userId: string;
  readonly agents: readonly AgentUsage[];
  /** `namespace.key` of each stored setting; values stay out of listings. */
  readonly settings: readonly string[];
  /** The toolkits the user connected (credential vault), by name. */
  readonly credentials: readonly ConnectedToolkit[];
}

/**
 * Every user the database knows, for operators (`just tokens`). Reads counts and sums only, so
 * it costs the same for a chat of ten turns or of ten thousand.
 */
export async function listUsers(
  db: Kysely<Database>,
  { userId }: { userId?: string } = {},
): Promise<UserInventory[]> {
  let usage = db
    .selectFrom("sessions as s")
    .leftJoin("session_turns as t", "t.session_pk", "s.id")
    .select([
      "s.user_id as userId",
      "s.agent as agent",
      sql<number>`count(distinct s.id)`.as("chats"),
      sql<number>`count(t.id)`.as("turns"),
      sql<number>`coalesce(sum(t.prompt_tokens), 0)`.as("promptTokens"),
      sql<number>`coalesce(sum(t.completion_tokens), 0)`.as("completionTokens"),
      sql<string>`max(s.updated_at)`.as("lastActive"),
    ])
    .groupBy(["s.user_id", "s.agent"])
    .orderBy("s.user_id")
    .orderBy("s.agent");
  let settings = db
    .selectFrom("user_settings")
    .select(["user_id as userId", "namespace", "key"])
    .orderBy("user_id")
    .orderBy("namespace")
    .orderBy("key");
  if (userId !== undefined) {
    usage = usage.where("s.user_id", "=", userId);
    settings = settings.where("user_id", "=", userId);
  }

  const users = new Map<
    string,
    { agents: AgentUsage[]; settings: string[]; credentials: ConnectedToolkit[] }
  >();
  const entry = (id: string) => {
    let user = users.get(id);
    if (!user) {
      user = { agents: [], settings: [], credentials: [] };
      users.set(id, user);
    }
    return user;
  };
  for (const row of await usage.execute()) {
    entry(row.userId).agents.push({
      agent: row.agent,
      chats: Number(row.chats),
      turns: Number(row.turns),
      promptTokens: Number(row.promptTokens),
      completionTokens: Number(row.completionTokens),
      lastActive: row.lastActive,
    });
  }
  for (const row of await settings.execute()) {
    entry(row.userId).settings.push(`${row.namespace}.${row.key}`);
  }
  for (const { userId: id, ...credential } of await listCredentials(
    db,
    userId === undefined ? {} : { userId },
  )) {
    entry(id).credentials.push(credential);
  }
  return [...users.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, user]) => ({ userId: id, ...user }));
}
