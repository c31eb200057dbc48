import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDatabase } from "../database/app-database.ts";
import { openDatabase } from "../database/open-database.ts";
import { KyselySessionStore } from "../sessions/kysely-session-store.ts";
import type { NewTurn } from "../sessions/session-store.ts";
import { KyselyUserSettingsStore } from "../settings/kysely-user-settings-store.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { generateFernetKey } from "../vault/fernet.ts";
import { KeyRing } from "../vault/key-ring.ts";
import { KyselyCredentialVault } from "../vault/kysely-credential-vault.ts";
import { listUsers } from "./user-inventory.ts";

const turn = (answer: string, parentId: string | null, tokens: number): NewTurn => ({
  parentId,
  prefixKey: `key-${answer}`,
  input: [{ role: "user", parts: [{ text: `q ${answer}` }] }],
  steps: [],
  answer,
  status: "complete",
  usage: { promptTokens: tokens, completionTokens: 1, totalTokens: tokens + 1 },
});

const databases = useTestDatabases("inventory");

describe.each(ENGINES)("listUsers (%s)", (engine) => {
  let database: AppDatabase;

  beforeEach(async () => {
    database = await openDatabase(await databases.fresh(engine));
  });

  afterEach(async () => {
    await database.close();
  });

  it("is empty for a new database", async () => {
    expect(await listUsers(database.db)).toEqual([]);
  });

  it("counts chats, turns and tokens per user and agent, and names settings without values", async () => {
    const sessions = new KyselySessionStore(database.db);
    const settings = new KyselyUserSettingsStore(database.db);
    const chat1 = { userId: "bob", agent: "demo-agent", sessionId: "c1" };
    const first = await sessions.appendTurn(chat1, turn("a", null, 10));
    await sessions.appendTurn(chat1, turn("b", first.id, 20));
    await sessions.appendTurn({ ...chat1, sessionId: "c2" }, turn("c", null, 5));
    await sessions.appendTurn({ ...chat1, agent: "other-agent" }, turn("d", null, 7));
    await sessions.appendTurn(
      { userId: "alice", agent: "demo-agent", sessionId: "c9" },
      turn("e", null, 1),
    );
    await settings.set("bob", "color", "favorite", "a secret-ish blue");
    await settings.set("carol", "color", "favorite", "green");

    const users = await listUsers(database.db);
    expect(users.map((u) => u.userId)).toEqual(["alice", "bob", "carol"]);
    const bob = users[1];
    expect(bob?.agents.map(({ lastActive, ...rest }) => rest)).toEqual([
      { agent: "demo-agent", chats: 2, turns: 3, promptTokens: 35, completionTokens: 3 },
      { agent: "other-agent", chats: 1, turns: 1, promptTokens: 7, completionTokens: 1 },
    ]);
    expect(bob?.settings).toEqual(["color.favorite"]);
    expect(JSON.stringify(users)).not.toContain("blue");
    expect(users[2]).toEqual({
      userId: "carol",
      agents: [],
      settings: ["color.favorite"],
      credentials: [],
    });

    expect((await listUsers(database.db, { userId: "alice" })).map((u) => u.userId)).toEqual([
      "alice",
    ]);
    expect(await listUsers(database.db, { userId: "nobody" })).toEqual([]);
  });

  it("lists each user's connected toolkits with kind, metadata and dates, never a value", async () => {
    const vault = new KyselyCredentialVault(database.db, KeyRing.parse(generateFernetKey()), {
      now: () => new Date("2026-03-01T10:00:00.000Z"),
    });
    const sessions = new KyselySessionStore(database.db);
    await sessions.appendTurn(
      { userId: "bob", agent: "demo-agent", sessionId: "c1" },
      turn("a", null, 1),
    );
    await vault.put("bob", "jira", {
      kind: "api-token",
      secrets: { token: "bob-SECRET-pat" },
      metadata: { serverUrl: "https://jira.example.com", account: "bob" },
    });
    // A user with only a credential is listed too.
    await vault.put("dave", "google-drive", {
      kind: "oauth2",
      secrets: { refreshToken: "dave-SECRET-refresh" },
      metadata: { scopes: "drive.readonly" },
    });

    const users = await listUsers(database.db);
    expect(users.map((u) => u.userId)).toEqual(["bob", "dave"]);
    expect(users[0]?.credentials).toEqual([
      {
        toolkit: "jira",
        kind: "api-token",
        metadata: { serverUrl: "https://jira.example.com", account: "bob" },
        secretFields: ["token"],
        connectedAt: "2026-03-01T10:00:00.000Z",
        updatedAt: "2026-03-01T10:00:00.000Z",
      },
    ]);
    expect(users[1]).toMatchObject({ userId: "dave", agents: [], settings: [] });
    expect(users[1]?.credentials.map((c) => c.toolkit)).toEqual(["google-drive"]);
    expect(JSON.stringify(users)).not.toContain("SECRET");
    expect((await listUsers(database.db, { userId: "dave" }))[0]?.credentials).toHaveLength(1);
  });
});
