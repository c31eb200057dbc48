import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../database/open-database.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { KyselySessionStore } from "./kysely-session-store.ts";
import { readSession } from "./read-session.ts";
import { describeSessionStoreCases } from "./session-store.case.ts";

// A real database per test (a file, or a database on this file's throwaway Postgres), so
// reopen tests exercise the same path as a restart.
const databases = useTestDatabases("sessions");
for (const engine of ENGINES) {
  describeSessionStoreCases(engine, async () => {
    const options = await databases.fresh(engine);
    return {
      async open() {
        const database = await openDatabase(options);
        return {
          store: new KyselySessionStore(database.db),
          read: (key) => readSession(database.db, key),
          close: () => database.close(),
        };
      },
      async dispose() {},
    };
  });
}

// The decoded-steps cache must never hide what another process (another store) wrote.
describe("KyselySessionStore's steps cache", () => {
  const key = { userId: "u", agent: "demo-agent", sessionId: "s" };
  const newTurn = (answer: string, parentId: string | null) => ({
    parentId,
    prefixKey: `key-${answer}`,
    input: [{ role: "user", parts: [{ text: `q ${answer}` }] }],
    steps: [{ role: "model", parts: [{ text: answer }] }],
    answer,
    status: "complete" as const,
    usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
  });

  it("finds turns written by another store on the same database", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-steps-cache-"));
    const [one, two] = await Promise.all([openDatabase({ dataDir }), openDatabase({ dataDir })]);
    try {
      const a = new KyselySessionStore(one.db);
      const b = new KyselySessionStore(two.db);
      const first = await a.appendTurn(key, newTurn("first", null));
      expect((await b.findTurns(key, ["key-first", "key-second"])).map((t) => t.id)).toEqual([
        first.id,
      ]);
      const second = await a.appendTurn(key, newTurn("second", first.id));
      expect((await b.findTurns(key, ["key-second"])).map((t) => t.id)).toEqual([second.id]);
      // The same decoded steps are reused while cached, and a caller cannot change them.
      const once = (await b.loadSteps(key, [second.id])).get(second.id);
      expect((await b.loadSteps(key, [second.id])).get(second.id)).toBe(once);
      expect(Object.isFrozen(once)).toBe(true);
    } finally {
      await Promise.all([one.close(), two.close()]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("loads more steps than the cache holds, completely", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-steps-cache-"));
    const database = await openDatabase({ dataDir });
    try {
      const writer = new KyselySessionStore(database.db, { cachedTurns: 0 });
      const ids: string[] = [];
      let parent: string | null = null;
      for (let i = 0; i < 7; i++) {
        parent = (await writer.appendTurn(key, newTurn(`a${i}`, parent))).id;
        ids.push(parent);
      }
      const small = new KyselySessionStore(database.db, { cachedTurns: 3 });
      for (let round = 0; round < 2; round++) {
        const steps = await small.loadSteps(key, ids);
        expect(ids.map((id) => JSON.stringify(steps.get(id)))).toEqual(
          ids.map((_, i) => JSON.stringify([{ role: "model", parts: [{ text: `a${i}` }] }])),
        );
      }
    } finally {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("KyselySessionStore.findTurns with many turns of one key", () => {
  it("returns the best few of them: complete ones first, then the newest", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-per-key-"));
    const database = await openDatabase({ dataDir });
    try {
      const store = new KyselySessionStore(database.db, { turnsPerKey: 3 });
      const key = { userId: "u", agent: "demo-agent", sessionId: "s" };
      const turn = (prefixKey: string, status: "complete" | "partial") => ({
        parentId: null,
        prefixKey,
        input: [{ role: "user", parts: [{ text: "hi" }] }],
        steps: [],
        answer: "hello",
        status,
        usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      });
      // The newest two are partial: complete ones must still win over them.
      for (let i = 0; i < 6; i++) {
        await store.appendTurn(key, turn("same", i >= 4 ? "partial" : "complete"));
      }
      await store.appendTurn(key, turn("other", "complete"));
      const found = await store.findTurns(key, ["same", "other"]);
      expect(found.filter((t) => t.prefixKey === "same").map((t) => t.seq)).toEqual([4, 3, 2]);
      expect(found.filter((t) => t.prefixKey === "other")).toHaveLength(1);
    } finally {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
