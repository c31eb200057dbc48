import type { Content } from "@google/genai";
import { describe, expect, it } from "vitest";
import type { TurnSummary } from "../sessions/session-store.ts";
import { PrefixHasher } from "./history-key.ts";
import { type ReconciledHistory, reconcileHistory, type TurnLookup } from "./reconcile-history.ts";

const user = (text: string): Content => ({ role: "user", parts: [{ text }] });
const model = (text: string): Content => ({ role: "model", parts: [{ text }] });
const call = (name: string): Content => ({
  role: "model",
  parts: [{ functionCall: { name, args: {} } }],
});
const result = (name: string): Content => ({
  role: "user",
  parts: [{ functionResponse: { name, response: { ok: true } } }],
});

interface TestTurn extends TurnSummary {
  readonly steps: Content[];
}

/**
 * A session in memory: turns get the prefix keys the store would have given them (their
 * parent's conversation, their input, their answer), and every read is recorded.
 */
function session() {
  const turns: TestTurn[] = [];
  const hashers = new Map<string, PrefixHasher>();
  const reads = { keys: 0, steps: [] as string[] };
  const lookup: TurnLookup = {
    async findTurns(keys) {
      reads.keys += keys.length;
      return turns.filter((turn) => keys.includes(turn.prefixKey));
    },
    async loadSteps(ids) {
      reads.steps.push(...ids);
      return new Map(turns.filter((t) => ids.includes(t.id)).map((t) => [t.id, t.steps]));
    },
  };
  const add = (
    input: Content[],
    answer: string,
    options: { tool?: string; status?: "complete" | "partial"; parent?: TestTurn } = {},
  ): TestTurn => {
    const hasher = options.parent
      ? (hashers.get(options.parent.id) as PrefixHasher).copy()
      : new PrefixHasher();
    for (const content of input) hasher.addContent(content);
    hasher.add("model", answer);
    const complete = options.tool
      ? [call(options.tool), result(options.tool), model(answer)]
      : [model(answer)];
    const steps = options.status === "partial" ? [call(options.tool ?? "x")] : complete;
    const turn: TestTurn = {
      id: `t${turns.length + 1}`,
      parentId: options.parent?.id ?? null,
      prefixKey: hasher.key(),
      status: options.status ?? "complete",
      seq: turns.length + 1,
      stepsSize: JSON.stringify(steps).length,
      steps,
    };
    hashers.set(turn.id, hasher);
    turns.push(turn);
    return turn;
  };
  return { add, lookup, reads };
}

function reconcile(
  client: Content[],
  lookup: TurnLookup,
  options: { maxStepsSize?: number; continuing?: boolean } = {},
): Promise<ReconciledHistory> {
  return reconcileHistory(client, lookup, {
    maxStepsSize: options.maxStepsSize ?? 1_000_000,
    continuing: options.continuing ?? false,
  });
}

describe("reconcileHistory", () => {
  it("continues a session: stored tool steps are spliced in, the new message is the input", async () => {
    const s = session();
    const t1 = s.add([user("palette please")], "Here it is", { tool: "palette" });
    const client = [user("palette please"), model("Here it is"), user("thanks!")];
    const r = await reconcile(client, s.lookup);
    expect(r.parentId).toBe(t1.id);
    expect(r.matchedTurns).toBe(1);
    expect(r.input).toEqual([user("thanks!")]);
    expect(r.contents).toEqual([
      user("palette please"),
      call("palette"),
      result("palette"),
      model("Here it is"),
      user("thanks!"),
    ]);
  });

  it("starts from the client's messages alone for a new session, reading nothing", async () => {
    const s = session();
    const client = [user("hi")];
    const r = await reconcile(client, s.lookup);
    expect(r).toMatchObject({ contents: client, parentId: null, input: client, matchedTurns: 0 });
    expect(s.reads).toEqual({ keys: 0, steps: [] });
  });

  it("gives the new turn the key a later request will compute for it", async () => {
    const s = session();
    const t1 = s.add([user("a")], "A");
    const r = await reconcile([user("a"), model("A"), user("b")], s.lookup);
    const t2 = s.add([user("b")], "B", { parent: t1 });
    expect(r.prefixKeyFor("B")).toBe(t2.prefixKey);
  });

  it("forks on regenerate: the last turn is asked again from its parent", async () => {
    const s = session();
    const t1 = s.add([user("a")], "A");
    s.add([user("b")], "B", { tool: "lookup", parent: t1 });
    const r = await reconcile([user("a"), model("A"), user("b")], s.lookup);
    expect(r.parentId).toBe(t1.id);
    expect(r.input).toEqual([user("b")]);
    // The old answer and its tool steps are not shown to the model.
    expect(r.contents).toEqual([user("a"), model("A"), user("b")]);
  });

  it("forks on an edit of an earlier message, keeping the matching prefix", async () => {
    const s = session();
    const t1 = s.add([user("a")], "A", { tool: "one" });
    const t2 = s.add([user("b")], "B", { parent: t1 });
    s.add([user("c")], "C", { parent: t2 });
    const r = await reconcile([user("a"), model("A"), user("b, edited")], s.lookup);
    expect(r.parentId).toBe(t1.id);
    expect(r.contents).toEqual([
      user("a"),
      call("one"),
      result("one"),
      model("A"),
      user("b, edited"),
    ]);
  });

  it("makes an edit of the first message a new root", async () => {
    const s = session();
    s.add([user("a")], "A", { tool: "one" });
    const r = await reconcile([user("a, edited")], s.lookup);
    expect(r.parentId).toBeNull();
    expect(r.contents).toEqual([user("a, edited")]);
  });

  it("handles a deleted turn: what follows it comes from the client, as the new turn's input", async () => {
    const s = session();
    const t1 = s.add([user("a")], "A");
    const t2 = s.add([user("b")], "B", { tool: "gone", parent: t1 });
    s.add([user("c")], "C", { parent: t2 });
    const client = [user("a"), model("A"), user("c"), model("C"), user("d")];
    const r = await reconcile(client, s.lookup);
    expect(r.parentId).toBe(t1.id);
    expect(r.input).toEqual([user("c"), model("C"), user("d")]);
    expect(JSON.stringify(r.contents)).not.toContain("gone");
  });

  it("matches a stored multi-message input as a whole", async () => {
    const s = session();
    const t1 = s.add([user("c"), model("C"), user("d")], "D", { tool: "x" });
    const client = [user("c"), model("C"), user("d"), model("D"), user("e")];
    const r = await reconcile(client, s.lookup);
    expect(r.parentId).toBe(t1.id);
    expect(r.input).toEqual([user("e")]);
  });

  it("ignores whitespace differences between the streamed answer and what the client sends back", async () => {
    const s = session();
    const t1 = s.add([user("a")], "Let me check.Here it is:\n\n- one", { tool: "check" });
    const client = [user("a"), model("Let me check.\n\nHere it is:\n- one"), user("b")];
    expect((await reconcile(client, s.lookup)).parentId).toBe(t1.id);
  });

  it("matches an answer that quotes tool-card or thinking markup the client shows differently", async () => {
    const s = session();
    const quoted =
      'A card looks like <details type="tool_calls" done="true" name="x">\n<summary>Tool Executed</summary>\n</details> and <think>hmm</think>that is all.';
    const t1 = s.add([user("show me")], quoted, { tool: "render" });
    // What comes back: the card and the thinking block are gone from the client's copy.
    const client = [user("show me"), model("A card looks like  and that is all."), user("ok")];
    const r = await reconcile(client, s.lookup);
    expect(r.parentId).toBe(t1.id);
    expect(JSON.stringify(r.contents)).toContain("functionCall");
  });

  it("uses the client's text, not the stored steps, for a partial turn", async () => {
    const s = session();
    const t1 = s.add([user("a")], "Half an ans", { tool: "slow", status: "partial" });
    const client = [user("a"), model("Half an ans"), user("go on")];
    const r = await reconcile(client, s.lookup);
    expect(r.parentId).toBe(t1.id);
    expect(r.contents).toEqual([user("a"), model("Half an ans"), user("go on")]);
    expect(s.reads.steps).toEqual([]);
  });

  it("does not match when the answer differs (regenerated elsewhere)", async () => {
    const s = session();
    s.add([user("a")], "A");
    const r = await reconcile([user("a"), model("another answer"), user("b")], s.lookup);
    expect(r.parentId).toBeNull();
    expect(r.matchedTurns).toBe(0);
  });

  it("continues the regenerated answer the client shows, old or new", async () => {
    const s = session();
    const t1 = s.add([user("a")], "A");
    const first = s.add([user("b")], "first try", { tool: "x", parent: t1 });
    const second = s.add([user("b")], "second try", { parent: t1 });
    const backToFirst = [user("a"), model("A"), user("b"), model("first try"), user("c")];
    const r = await reconcile(backToFirst, s.lookup);
    expect(r.parentId).toBe(first.id);
    expect(JSON.stringify(r.contents)).toContain("functionCall");
    const withSecond = [user("a"), model("A"), user("b"), model("second try"), user("c")];
    expect((await reconcile(withSecond, s.lookup)).parentId).toBe(second.id);
  });

  it("without a session takes the client's history as it is, continuing included", async () => {
    const client = [user("a"), model("A"), user("b"), model("half")];
    const r = await reconcileHistory(client, undefined, { maxStepsSize: 1, continuing: true });
    expect(r).toMatchObject({ parentId: null, matchedTurns: 0, stepsLeftOut: 0 });
    expect(r.contents).toEqual([user("a"), model("A"), user("b")]);
    expect(r.continued?.contents).toEqual([model("half")]);
    expect(() => r.prefixKeyFor("half more")).toThrow(/no prefix keys/);
  });

  it("prefers a complete turn, then the newest, among identical siblings", async () => {
    const s = session();
    s.add([user("a")], "same");
    const newer = s.add([user("a")], "same", { tool: "y" });
    s.add([user("a")], "same", { status: "partial" });
    const r = await reconcile([user("a"), model("same"), user("b")], s.lookup);
    expect(r.parentId).toBe(newer.id);
  });
});

describe("reconcileHistory reads only what it needs", () => {
  it("asks for one key per answer in the history and reads the steps of the matched chain only", async () => {
    const s = session();
    // A big abandoned branch and many unrelated roots (say, messages sent without history).
    for (let i = 0; i < 50; i++) s.add([user(`unrelated ${i}`)], `R${i}`, { tool: "big" });
    const t1 = s.add([user("a")], "A", { tool: "one" });
    const dead = s.add([user("b")], "B", { tool: "dead", parent: t1 });
    s.add([user("c")], "C", { tool: "dead", parent: dead });
    const r = await reconcile([user("a"), model("A"), user("b2")], s.lookup);
    expect(r.parentId).toBe(t1.id);
    expect(s.reads.keys).toBe(1);
    expect(s.reads.steps).toEqual([t1.id]);
  });

  it("leaves out the oldest turns' steps past the size cap, newest first, and says how many", async () => {
    const s = session();
    const t1 = s.add([user("a")], "A", { tool: "one" });
    const t2 = s.add([user("b")], "B", { tool: "two", parent: t1 });
    const t3 = s.add([user("c")], "C", { tool: "three", parent: t2 });
    const client = [user("a"), model("A"), user("b"), model("B"), user("c"), model("C"), user("d")];
    const r = await reconcile(client, s.lookup, { maxStepsSize: t3.stepsSize + t2.stepsSize });
    expect(r.parentId).toBe(t3.id);
    expect(r.stepsLeftOut).toBe(1);
    expect(s.reads.steps).toEqual([t3.id, t2.id]);
    const text = JSON.stringify(r.contents);
    expect(text).not.toContain('"one"');
    expect(text).toContain('"two"');
    // The turn whose steps were left out still shows as the user saw it.
    expect(r.contents.slice(0, 2)).toEqual([user("a"), model("A")]);
  });
});

describe("reconcileHistory continuing an answer (Open WebUI's Continue)", () => {
  it("continues a stored answer: same parent and input, its steps as the answer so far", async () => {
    const s = session();
    const t1 = s.add([user("a")], "A");
    const t2 = s.add([user("b")], "Half of B", { tool: "look", parent: t1 });
    const client = [user("a"), model("A"), user("b"), model("Half of B")];
    const r = await reconcile(client, s.lookup, { continuing: true });
    expect(r.parentId).toBe(t1.id);
    expect(r.input).toEqual([user("b")]);
    expect(r.contents).toEqual([user("a"), model("A"), user("b")]);
    expect(r.continued?.contents).toEqual([call("look"), result("look"), model("Half of B")]);
    expect(r.continued?.text).toBe("Half of B");
    // The finished answer is a sibling of the one continued, keyed as the client will show it.
    const whole = s.add([user("b")], "Half of B, and the rest.", { parent: t1 });
    expect(r.prefixKeyFor("Half of B, and the rest.")).toBe(whole.prefixKey);
    expect(t2.parentId).toBe(t1.id);
  });

  it("continues an answer the session never stored with the client's text", async () => {
    const s = session();
    const client = [user("a"), model("Some text")];
    const r = await reconcile(client, s.lookup, { continuing: true });
    expect(r.parentId).toBeNull();
    expect(r.input).toEqual([user("a")]);
    expect(r.contents).toEqual([user("a")]);
    expect(r.continued?.contents).toEqual([model("Some text")]);
  });
});
