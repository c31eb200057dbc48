import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SessionNotFoundError } from "./session-not-found-error.ts";
import type { NewTurn, SessionKey, SessionStore } from "./session-store.ts";
import { TurnNotFoundError } from "./turn-not-found-error.ts";

/**
 * The cases every `SessionStore` must pass, run by one `*.test.ts` per backend (hono's
 * `common.case.test.ts` idea). Not named `*.test.ts` itself: the root vitest config would
 * collect it, and on its own it holds no tests.
 */
export interface SessionStoreHarness {
  /** Opens a store on this harness's database; after `close`, a new `open` sees the same data. */
  open(): Promise<{ store: SessionStore; close(): Promise<void> }>;
  /** Removes whatever the harness created. */
  dispose(): Promise<void>;
}

export function describeSessionStoreCases(
  backend: string,
  createHarness: () => Promise<SessionStoreHarness>,
): void {
  describe(`SessionStore cases (${backend})`, () => {
    let harness: SessionStoreHarness;
    let opened: { store: SessionStore; close(): Promise<void> };
    let store: SessionStore;

    beforeEach(async () => {
      harness = await createHarness();
      opened = await harness.open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.close();
      await harness.dispose();
    });

    const key: SessionKey = { userId: "user-a", agent: "demo-agent", sessionId: "chat-1" };

    it("returns an empty branch and no turns for an unknown session", async () => {
      expect(await store.loadBranch(key)).toEqual([]);
      expect(await store.listTurns(key)).toEqual([]);
    });

    it("appends a chain and loads it root first", async () => {
      const first = await store.appendTurn(key, turn(null, "one"));
      const second = await store.appendTurn(key, turn(first.id, "two"));
      const third = await store.appendTurn(key, turn(second.id, "three"));

      const branch = await store.loadBranch(key);
      expect(branch.map((t) => t.answer)).toEqual(["one", "two", "three"]);
      expect(branch.map((t) => t.parentId)).toEqual([null, first.id, second.id]);
      expect(branch).toEqual([first, second, third]);
    });

    it("returns from appendTurn exactly what a later load returns", async () => {
      const appended = await store.appendTurn(key, turn(null, "hello"));
      expect(appended.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(appended.createdAt))).toBe(false);
      expect(await store.loadBranch(key)).toEqual([appended]);
    });

    it("keeps sessions apart that share a session id across users, agents and ids", async () => {
      const keys: SessionKey[] = [
        key,
        { ...key, userId: "user-b" },
        { ...key, agent: "other-agent" },
        { ...key, sessionId: "chat-2" },
      ];
      for (const [index, each] of keys.entries()) {
        await store.appendTurn(each, turn(null, `answer ${index}`));
      }
      for (const [index, each] of keys.entries()) {
        const branch = await store.loadBranch(each);
        expect(branch.map((t) => t.answer)).toEqual([`answer ${index}`]);
        expect(await store.listTurns(each)).toEqual(branch);
      }
    });

    it("treats key parts as data, not SQL or patterns", async () => {
      const odd: SessionKey = {
        userId: "a' OR '1'='1",
        agent: "%",
        sessionId: "_; drop table sessions",
      };
      await store.appendTurn(odd, turn(null, "odd"));
      expect((await store.loadBranch(odd)).map((t) => t.answer)).toEqual(["odd"]);
      expect(await store.loadBranch({ ...odd, userId: "a" })).toEqual([]);
      expect(await store.loadBranch(key)).toEqual([]);
    });

    it("forks: appending under an older parent moves the head, the old branch stays listed", async () => {
      const root = await store.appendTurn(key, turn(null, "root"));
      const original = await store.appendTurn(key, turn(root.id, "original"));
      const originalChild = await store.appendTurn(key, turn(original.id, "original child"));
      const regenerated = await store.appendTurn(key, turn(root.id, "regenerated"));

      expect((await store.loadBranch(key)).map((t) => t.answer)).toEqual(["root", "regenerated"]);
      expect(await store.listTurns(key)).toEqual([root, original, originalChild, regenerated]);

      // Moving back restores the old branch untouched.
      await store.setHead(key, originalChild.id);
      expect(await store.loadBranch(key)).toEqual([root, original, originalChild]);
    });

    it("starts a new root when appending with a null parent to an existing session", async () => {
      const oldRoot = await store.appendTurn(key, turn(null, "first message"));
      const newRoot = await store.appendTurn(key, turn(null, "edited first message"));
      expect(await store.loadBranch(key)).toEqual([newRoot]);
      expect(await store.listTurns(key)).toEqual([oldRoot, newRoot]);
    });

    it("empties the branch with setHead(null)", async () => {
      const only = await store.appendTurn(key, turn(null, "only"));
      await store.setHead(key, null);
      expect(await store.loadBranch(key)).toEqual([]);
      expect(await store.listTurns(key)).toEqual([only]);
    });

    it("rejects setHead to a turn of another session and leaves the head alone", async () => {
      const mine = await store.appendTurn(key, turn(null, "mine"));
      const otherKey = { ...key, userId: "user-b" };
      const foreign = await store.appendTurn(otherKey, turn(null, "theirs"));

      const error = await store.setHead(key, foreign.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TurnNotFoundError);
      expect(error).toMatchObject({ turnId: foreign.id, key });
      await expect(store.setHead(key, "no-such-turn")).rejects.toBeInstanceOf(TurnNotFoundError);
      expect(await store.loadBranch(key)).toEqual([mine]);
    });

    it("rejects setHead on an unknown session", async () => {
      await expect(store.setHead(key, null)).rejects.toBeInstanceOf(SessionNotFoundError);
    });

    it("rejects appending under a foreign parent and writes nothing", async () => {
      const foreign = await store.appendTurn({ ...key, agent: "other" }, turn(null, "theirs"));

      // Unknown session: not even the session row may be left behind.
      await expect(store.appendTurn(key, turn(foreign.id, "x"))).rejects.toBeInstanceOf(
        TurnNotFoundError,
      );
      await expect(store.setHead(key, null)).rejects.toBeInstanceOf(SessionNotFoundError);

      // Known session: head and turns unchanged.
      const mine = await store.appendTurn(key, turn(null, "mine"));
      await expect(store.appendTurn(key, turn(foreign.id, "x"))).rejects.toBeInstanceOf(
        TurnNotFoundError,
      );
      expect(await store.listTurns(key)).toEqual([mine]);
      expect(await store.loadBranch(key)).toEqual([mine]);
    });

    it("round-trips a partial turn with its usage", async () => {
      const partial = await store.appendTurn(key, {
        ...turn(null, "cut off mid-sen"),
        status: "partial",
        usage: { promptTokens: 120, completionTokens: 7, totalTokens: 127 },
      });
      const [loaded] = await store.loadBranch(key);
      expect(loaded).toEqual(partial);
      expect(loaded?.status).toBe("partial");
      expect(loaded?.usage).toEqual({ promptTokens: 120, completionTokens: 7, totalTokens: 127 });
    });

    it("round-trips Gemini contents as JSON", async () => {
      const input = [{ role: "user", parts: [{ text: 'Hi ✨ "quoted" \n newline' }] }];
      const steps = [
        {
          role: "model",
          parts: [{ functionCall: { id: "c1", name: "pick_color", args: { n: 2, tags: [] } } }],
        },
        {
          role: "user",
          parts: [
            {
              functionResponse: {
                id: "c1",
                name: "pick_color",
                response: { output: { colors: ["red", null], nested: { deep: true, n: 1.5 } } },
              },
            },
          ],
        },
      ];
      await store.appendTurn(key, { ...turn(null, "Red."), input, steps });
      const [loaded] = await store.loadBranch(key);
      expect(loaded?.input).toEqual(input);
      expect(loaded?.steps).toEqual(steps);
    });

    it("rejects token counts a portable integer column cannot hold", async () => {
      const bad = {
        ...turn(null, "x"),
        usage: { promptTokens: 1.5, completionTokens: 0, totalTokens: 0 },
      };
      await expect(store.appendTurn(key, bad)).rejects.toBeInstanceOf(RangeError);
      expect(await store.listTurns(key)).toEqual([]);
    });

    it("honours an aborted signal: nothing is read or written", async () => {
      const controller = new AbortController();
      controller.abort(new Error("client went away"));
      const { signal } = controller;
      await expect(store.appendTurn(key, turn(null, "x"), { signal })).rejects.toThrow(
        "client went away",
      );
      await expect(store.loadBranch(key, { signal })).rejects.toThrow("client went away");
      expect(await store.listTurns(key)).toEqual([]);
    });

    it("rolls the whole append back when aborted just before commit", async () => {
      // Passes the first check, fails the one inside the transaction.
      let checks = 0;
      const signal = {
        throwIfAborted() {
          checks += 1;
          if (checks > 1) throw new Error("aborted mid-write");
        },
      } as AbortSignal;
      await expect(store.appendTurn(key, turn(null, "x"), { signal })).rejects.toThrow(
        "aborted mid-write",
      );
      expect(checks).toBe(2);
      expect(await store.listTurns(key)).toEqual([]);
      // The session row was rolled back too.
      await expect(store.setHead(key, null)).rejects.toBeInstanceOf(SessionNotFoundError);
    });

    it("serialises concurrent appends: every turn kept, the last one is the head", async () => {
      const root = await store.appendTurn(key, turn(null, "root"));
      const answers = ["a", "b", "c", "d", "e"];
      const appended = await Promise.all(
        answers.map((answer) => store.appendTurn(key, turn(root.id, answer))),
      );
      const listed = await store.listTurns(key);
      expect(listed).toHaveLength(answers.length + 1);
      expect(new Set(listed.map((t) => t.id))).toEqual(
        new Set([root, ...appended].map((t) => t.id)),
      );
      const branch = await store.loadBranch(key);
      expect(branch).toEqual([root, listed.at(-1)]);
    });

    it("keeps everything across close and reopen", async () => {
      const root = await store.appendTurn(key, turn(null, "root"));
      const old = await store.appendTurn(key, turn(root.id, "old"));
      const head = await store.appendTurn(key, turn(root.id, "head"));
      await opened.close();

      opened = await harness.open();
      store = opened.store;
      expect(await store.loadBranch(key)).toEqual([root, head]);
      expect(await store.listTurns(key)).toEqual([root, old, head]);
      const next = await store.appendTurn(key, turn(head.id, "after reopen"));
      expect(await store.loadBranch(key)).toEqual([root, head, next]);
    });
  });
}

function turn(parentId: string | null, answer: string): NewTurn {
  return {
    parentId,
    input: [{ role: "user", parts: [{ text: `question for ${answer}` }] }],
    steps: [],
    answer,
    status: "complete",
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
  };
}
