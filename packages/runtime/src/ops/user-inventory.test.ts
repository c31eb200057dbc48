import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDatabase } from "../database/app-database.ts";
import { openDatabase } from "../database/open-database.ts";
import { KyselySessionStore } from "../sessions/kysely-session-store.ts";
import type { NewTurn } from "../sessions/session-store.ts";
import { KyselyUserSettingsStore } from "../settings/kysely-user-settings-store.ts";
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

describe("listUsers", () => {
  let dataDir: string;
  let database: AppDatabase;

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-inventory-"));
    database = await openDatabase({ dataDir });
  });

  afterEach(async () => {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
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
    expect(users[2]).toEqual({ userId: "carol", agents: [], settings: ["color.favorite"] });

    expect((await listUsers(database.db, { userId: "alice" })).map((u) => u.userId)).toEqual([
      "alice",
    ]);
    expect(await listUsers(database.db, { userId: "nobody" })).toEqual([]);
  });
});
