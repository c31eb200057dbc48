import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../database/open-database.ts";
import { KyselySessionStore } from "./kysely-session-store.ts";
import { describeSessionStoreCases } from "./session-store.case.ts";

// A real database file per test, so reopen tests exercise the same path as a restart.
describeSessionStoreCases("SQLite", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-sessions-"));
  return {
    async open() {
      const database = await openDatabase({ dataDir });
      return { store: new KyselySessionStore(database.db), close: () => database.close() };
    },
    async dispose() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

// The decoded-turn cache must never hide what another process (another store) wrote.
describe("KyselySessionStore's turn cache", () => {
  const key = { userId: "u", agent: "demo-agent", sessionId: "s" };
  const newTurn = (answer: string, parentId: string | null) => ({
    parentId,
    input: [{ role: "user", parts: [{ text: `q ${answer}` }] }],
    steps: [{ role: "model", parts: [{ text: answer }] }],
    answer,
    status: "complete" as const,
    usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
  });

  it("sees turns written by another store on the same database", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-turn-cache-"));
    const [one, two] = await Promise.all([openDatabase({ dataDir }), openDatabase({ dataDir })]);
    try {
      const a = new KyselySessionStore(one.db);
      const b = new KyselySessionStore(two.db);
      const first = await a.appendTurn(key, newTurn("first", null));
      expect((await b.listTurns(key)).map((t) => t.answer)).toEqual(["first"]);
      await a.appendTurn(key, newTurn("second", first.id));
      expect((await b.listTurns(key)).map((t) => t.answer)).toEqual(["first", "second"]);
      // A regenerate elsewhere (a sibling of "second") after b cached the session's ids.
      await a.appendTurn(key, newTurn("second again", first.id));
      expect((await b.listTurns(key)).map((t) => [t.answer, t.parentId])).toEqual([
        ["first", null],
        ["second", first.id],
        ["second again", first.id],
      ]);
      // The same decoded object is reused while cached, and it cannot be changed by a caller.
      const [again] = await b.listTurns(key);
      expect(again).toBe((await b.listTurns(key))[0]);
      expect(Object.isFrozen(again?.steps)).toBe(true);
    } finally {
      await Promise.all([one.close(), two.close()]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("reads a session larger than the cache completely", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-turn-cache-"));
    const database = await openDatabase({ dataDir });
    try {
      const writer = new KyselySessionStore(database.db, { cachedTurns: 0 });
      let parent: string | null = null;
      for (let i = 0; i < 7; i++)
        parent = (await writer.appendTurn(key, newTurn(`a${i}`, parent))).id;
      const small = new KyselySessionStore(database.db, { cachedTurns: 3 });
      const answers = ["a0", "a1", "a2", "a3", "a4", "a5", "a6"];
      expect((await small.listTurns(key)).map((t) => t.answer)).toEqual(answers);
      expect((await small.listTurns(key)).map((t) => t.answer)).toEqual(answers);
    } finally {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
