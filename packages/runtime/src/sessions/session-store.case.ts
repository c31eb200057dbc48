import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SessionContents } from "./read-session.ts";
import type { NewTurn, SessionKey, SessionStore } from "./session-store.ts";
import { TurnNotFoundError } from "./turn-not-found-error.ts";

/**
 * The cases every `SessionStore` must pass, run by one `*.test.ts` per backend (hono's
 * `common.case.test.ts` idea). Not named `*.test.ts` itself: the root vitest config would
 * collect it, and on its own it holds no tests.
 */
export interface SessionStoreHarness {
  /** Opens a store on this harness's database; after `close`, a new `open` sees the same data. */
  open(): Promise<OpenedStore>;
  /** Removes whatever the harness created. */
  dispose(): Promise<void>;
}

export interface OpenedStore {
  readonly store: SessionStore;
  /** Everything stored for a session (what an operator would see), to check writes. */
  read(key: SessionKey): Promise<SessionContents>;
  close(): Promise<void>;
}

export function describeSessionStoreCases(
  backend: string,
  createHarness: () => Promise<SessionStoreHarness>,
): void {
  describe(`SessionStore cases (${backend})`, () => {
    let harness: SessionStoreHarness;
    let opened: OpenedStore;
    let store: SessionStore;
    const stored = async (k: SessionKey) => (await opened.read(k)).turns;

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

    it("finds nothing in an unknown session", async () => {
      expect(await store.findTurns(key, ["k1"])).toEqual([]);
      expect(await store.loadSteps(key, ["no-such-turn"])).toEqual(new Map());
      expect(await stored(key)).toEqual([]);
    });

    it("appends a chain and finds each turn by its prefix key, without contents", async () => {
      const first = await store.appendTurn(key, turn(null, "one"));
      const second = await store.appendTurn(key, turn(first.id, "two", { steps: 3 }));
      const found = await store.findTurns(key, ["key-two", "key-one", "key-nobody"]);
      expect(found.sort((a, b) => a.seq - b.seq)).toEqual([
        {
          id: first.id,
          parentId: null,
          prefixKey: "key-one",
          status: "complete",
          seq: 1,
          stepsSize: JSON.stringify(first.steps).length,
        },
        {
          id: second.id,
          parentId: first.id,
          prefixKey: "key-two",
          status: "complete",
          seq: 2,
          stepsSize: JSON.stringify(second.steps).length,
        },
      ]);
      expect(await store.findTurns(key, [])).toEqual([]);
    });

    it("returns from appendTurn exactly what is stored", async () => {
      const appended = await store.appendTurn(key, turn(null, "hello"));
      expect(appended.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(appended.createdAt))).toBe(false);
      expect(await stored(key)).toEqual([appended]);
      expect((await opened.read(key)).latestTurnId).toBe(appended.id);
    });

    it("loads the steps of the turns asked for, frozen, and nothing of other sessions", async () => {
      const mine = await store.appendTurn(key, turn(null, "mine", { steps: 2 }));
      const other = { ...key, userId: "user-b" };
      const theirs = await store.appendTurn(other, turn(null, "theirs", { steps: 2 }));
      const steps = await store.loadSteps(key, [mine.id, theirs.id, "no-such-turn"]);
      expect([...steps.keys()]).toEqual([mine.id]);
      expect(steps.get(mine.id)).toEqual(mine.steps);
      expect(Object.isFrozen(steps.get(mine.id))).toBe(true);
      // Asked again (now from the cache): still only this session's.
      expect([...(await store.loadSteps(other, [mine.id])).keys()]).toEqual([]);
      expect([...(await store.loadSteps(other, [theirs.id])).keys()]).toEqual([theirs.id]);
    });

    it("keeps sessions apart that share a session id across users, agents and ids", async () => {
      const keys: SessionKey[] = [
        key,
        { ...key, userId: "user-b" },
        { ...key, agent: "other-agent" },
        { ...key, sessionId: "chat-2" },
      ];
      for (const [index, each] of keys.entries()) {
        await store.appendTurn(each, { ...turn(null, `answer ${index}`), prefixKey: "same-key" });
      }
      for (const [index, each] of keys.entries()) {
        const found = await store.findTurns(each, ["same-key"]);
        expect(found).toHaveLength(1);
        expect((await stored(each)).map((t) => t.answer)).toEqual([`answer ${index}`]);
        expect(found[0]?.id).toBe((await stored(each))[0]?.id);
      }
    });

    it("treats key parts and prefix keys as data, not SQL or patterns", async () => {
      const odd: SessionKey = {
        userId: "a' OR '1'='1",
        agent: "%",
        sessionId: "_; drop table sessions",
      };
      await store.appendTurn(odd, { ...turn(null, "odd"), prefixKey: "%' OR '1'='1" });
      expect(await store.findTurns(odd, ["%' OR '1'='1"])).toHaveLength(1);
      expect(await store.findTurns(odd, ["%"])).toEqual([]);
      expect(await store.findTurns({ ...odd, userId: "a" }, ["%' OR '1'='1"])).toEqual([]);
      expect(await stored(key)).toEqual([]);
    });

    it("forks: turns under an older parent and new roots are all kept", async () => {
      const root = await store.appendTurn(key, turn(null, "root"));
      const original = await store.appendTurn(key, turn(root.id, "original"));
      const child = await store.appendTurn(key, turn(original.id, "original child"));
      const regenerated = await store.appendTurn(key, turn(root.id, "regenerated"));
      const newRoot = await store.appendTurn(key, turn(null, "edited first message"));
      expect(await stored(key)).toEqual([root, original, child, regenerated, newRoot]);
      expect((await store.findTurns(key, ["key-original child"]))[0]?.parentId).toBe(original.id);
    });

    it("finds many keys at once (more than one query's worth of parameters)", async () => {
      let parent: string | null = null;
      for (let i = 0; i < 30; i++) parent = (await store.appendTurn(key, turn(parent, `a${i}`))).id;
      const keys = Array.from({ length: 1200 }, (_, i) => `key-a${i}`);
      expect(await store.findTurns(key, keys)).toHaveLength(30);
    });

    it("rejects appending under a foreign parent and writes nothing", async () => {
      const foreign = await store.appendTurn({ ...key, agent: "other" }, turn(null, "theirs"));

      // Unknown session: not even the session row may be left behind.
      await expect(store.appendTurn(key, turn(foreign.id, "x"))).rejects.toBeInstanceOf(
        TurnNotFoundError,
      );
      expect((await opened.read(key)).latestTurnId).toBeNull();

      // Known session: turns unchanged.
      const mine = await store.appendTurn(key, turn(null, "mine"));
      const error = await store.appendTurn(key, turn(foreign.id, "x")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TurnNotFoundError);
      expect(error).toMatchObject({ turnId: foreign.id, key });
      expect(await stored(key)).toEqual([mine]);
    });

    it("round-trips a partial turn with its usage", async () => {
      const partial = await store.appendTurn(key, {
        ...turn(null, "cut off mid-sen"),
        status: "partial",
        usage: { promptTokens: 120, completionTokens: 7, totalTokens: 127 },
      });
      const [loaded] = await stored(key);
      expect(loaded).toEqual(partial);
      expect(loaded?.usage).toEqual({ promptTokens: 120, completionTokens: 7, totalTokens: 127 });
      expect((await store.findTurns(key, [partial.prefixKey]))[0]?.status).toBe("partial");
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
      const appended = await store.appendTurn(key, { ...turn(null, "Red."), input, steps });
      const [loaded] = await stored(key);
      expect(loaded?.input).toEqual(input);
      expect(loaded?.steps).toEqual(steps);
      expect((await store.loadSteps(key, [appended.id])).get(appended.id)).toEqual(steps);
    });

    it("rejects token counts a portable integer column cannot hold", async () => {
      const bad = {
        ...turn(null, "x"),
        usage: { promptTokens: 1.5, completionTokens: 0, totalTokens: 0 },
      };
      await expect(store.appendTurn(key, bad)).rejects.toBeInstanceOf(RangeError);
      expect(await stored(key)).toEqual([]);
    });

    it("honours an aborted signal: nothing is read or written", async () => {
      const controller = new AbortController();
      controller.abort(new Error("client went away"));
      const { signal } = controller;
      await expect(store.appendTurn(key, turn(null, "x"), { signal })).rejects.toThrow(
        "client went away",
      );
      await expect(store.findTurns(key, ["key-x"], { signal })).rejects.toThrow("client went away");
      await expect(store.loadSteps(key, ["t"], { signal })).rejects.toThrow("client went away");
      expect(await stored(key)).toEqual([]);
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
      expect(await stored(key)).toEqual([]);
      // The session row was rolled back too.
      expect((await opened.read(key)).latestTurnId).toBeNull();
    });

    it("serialises concurrent appends: every turn kept, numbered in order", async () => {
      const root = await store.appendTurn(key, turn(null, "root"));
      const answers = ["a", "b", "c", "d", "e"];
      const appended = await Promise.all(
        answers.map((answer) => store.appendTurn(key, turn(root.id, answer))),
      );
      const listed = await stored(key);
      expect(listed).toHaveLength(answers.length + 1);
      expect(new Set(listed.map((t) => t.id))).toEqual(
        new Set([root, ...appended].map((t) => t.id)),
      );
      const seqs = (
        await store.findTurns(
          key,
          answers.map((a) => `key-${a}`),
        )
      ).map((t) => t.seq);
      expect(seqs.sort()).toEqual([2, 3, 4, 5, 6]);
    });

    it("keeps everything across close and reopen", async () => {
      const root = await store.appendTurn(key, turn(null, "root", { steps: 1 }));
      const old = await store.appendTurn(key, turn(root.id, "old"));
      await opened.close();

      opened = await harness.open();
      store = opened.store;
      expect(await stored(key)).toEqual([root, old]);
      expect((await store.loadSteps(key, [root.id])).get(root.id)).toEqual(root.steps);
      const next = await store.appendTurn(key, turn(old.id, "after reopen"));
      expect((await store.findTurns(key, ["key-after reopen"]))[0]).toMatchObject({
        id: next.id,
        seq: 3,
      });
    });
  });
}

/** A turn whose prefix key is `key-<answer>`, with `steps` tool-result contents. */
function turn(parentId: string | null, answer: string, options: { steps?: number } = {}): NewTurn {
  return {
    parentId,
    prefixKey: `key-${answer}`,
    input: [{ role: "user", parts: [{ text: `question for ${answer}` }] }],
    steps: Array.from({ length: options.steps ?? 0 }, (_, i) => ({
      role: "user",
      parts: [{ functionResponse: { name: "t", response: { i, answer } } }],
    })),
    answer,
    status: "complete",
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
  };
}
