import type { Content } from "@google/genai";
import { describe, expect, it } from "vitest";
import type { StoredTurn } from "../sessions/session-store.ts";
import { reconcileHistory } from "./reconcile-history.ts";

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

let nextId = 0;
function turn(
  input: Content[],
  answer: string,
  options: { tool?: string; status?: "complete" | "partial"; parentId?: string | null } = {},
): StoredTurn {
  const steps = options.tool
    ? [call(options.tool), result(options.tool), model(answer)]
    : [model(answer)];
  return {
    id: `t${++nextId}`,
    parentId: options.parentId ?? null,
    input,
    steps: options.status === "partial" ? [call(options.tool ?? "x")] : steps,
    answer,
    status: options.status ?? "complete",
    usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
    createdAt: new Date(0).toISOString(),
  };
}

describe("reconcileHistory", () => {
  it("continues a session: stored tool steps are spliced in, the new message is the input", () => {
    const t1 = turn([user("palette please")], "Here it is", { tool: "palette" });
    const client = [user("palette please"), model("Here it is"), user("thanks!")];
    const r = reconcileHistory(client, [t1]);
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

  it("starts from the client's messages alone for a new session", () => {
    const client = [user("hi")];
    expect(reconcileHistory(client, [])).toEqual({
      contents: client,
      parentId: null,
      input: client,
      matchedTurns: 0,
    });
  });

  it("forks on regenerate: the last turn is asked again from its parent", () => {
    const t1 = turn([user("a")], "A");
    const t2 = turn([user("b")], "B", { tool: "lookup", parentId: t1.id });
    const r = reconcileHistory([user("a"), model("A"), user("b")], [t1, t2]);
    expect(r.parentId).toBe(t1.id);
    expect(r.input).toEqual([user("b")]);
    // The old answer and its tool steps are not shown to the model.
    expect(r.contents).toEqual([user("a"), model("A"), user("b")]);
  });

  it("forks on an edit of an earlier message, keeping the matching prefix", () => {
    const t1 = turn([user("a")], "A", { tool: "one" });
    const t2 = turn([user("b")], "B", { parentId: t1.id });
    const t3 = turn([user("c")], "C", { parentId: t2.id });
    const client = [user("a"), model("A"), user("b, edited")];
    const r = reconcileHistory(client, [t1, t2, t3]);
    expect(r.parentId).toBe(t1.id);
    expect(r.contents).toEqual([
      user("a"),
      call("one"),
      result("one"),
      model("A"),
      user("b, edited"),
    ]);
  });

  it("makes an edit of the first message a new root", () => {
    const t1 = turn([user("a")], "A", { tool: "one" });
    const r = reconcileHistory([user("a, edited")], [t1]);
    expect(r.parentId).toBeNull();
    expect(r.contents).toEqual([user("a, edited")]);
  });

  it("handles a deleted turn: what follows it comes from the client, as the new turn's input", () => {
    const t1 = turn([user("a")], "A");
    const t2 = turn([user("b")], "B", { tool: "gone", parentId: t1.id });
    const t3 = turn([user("c")], "C", { parentId: t2.id });
    const client = [user("a"), model("A"), user("c"), model("C"), user("d")];
    const r = reconcileHistory(client, [t1, t2, t3]);
    expect(r.parentId).toBe(t1.id);
    expect(r.input).toEqual([user("c"), model("C"), user("d")]);
    expect(JSON.stringify(r.contents)).not.toContain("gone");
  });

  it("matches a stored multi-message input as a whole", () => {
    const t1 = turn([user("c"), model("C"), user("d")], "D", { tool: "x" });
    const client = [user("c"), model("C"), user("d"), model("D"), user("e")];
    const r = reconcileHistory(client, [t1]);
    expect(r.parentId).toBe(t1.id);
    expect(r.input).toEqual([user("e")]);
  });

  it("ignores whitespace differences between the streamed answer and what the client sends back", () => {
    const t1 = turn([user("a")], "Let me check.Here it is:\n\n- one", { tool: "check" });
    const client = [user("a"), model("Let me check.\n\nHere it is:\n- one"), user("b")];
    expect(reconcileHistory(client, [t1]).parentId).toBe(t1.id);
  });

  it("uses the client's text, not the stored steps, for a partial turn", () => {
    const t1 = turn([user("a")], "Half an ans", { tool: "slow", status: "partial" });
    const client = [user("a"), model("Half an ans"), user("go on")];
    const r = reconcileHistory(client, [t1]);
    expect(r.parentId).toBe(t1.id);
    expect(r.contents).toEqual([user("a"), model("Half an ans"), user("go on")]);
  });

  it("closes a turn that stopped on its step limit with the answer the client saw", () => {
    const t1 = turn([user("a")], "(stopped)");
    const stopped: StoredTurn = { ...t1, steps: [call("loop"), result("loop")] };
    const r = reconcileHistory([user("a"), model("(stopped)"), user("b")], [stopped]);
    expect(r.contents).toEqual([
      user("a"),
      call("loop"),
      result("loop"),
      model("(stopped)"),
      user("b"),
    ]);
  });

  it("does not match when the answer differs (regenerated elsewhere)", () => {
    const t1 = turn([user("a")], "A");
    const r = reconcileHistory([user("a"), model("another answer"), user("b")], [t1]);
    expect(r.parentId).toBeNull();
    expect(r.matchedTurns).toBe(0);
  });
});

describe("reconcileHistory over the whole turn tree", () => {
  it("follows the client even when the head moved to another branch", () => {
    const t1 = turn([user("a")], "A", { tool: "one" });
    // A later request on the same chat id (say, a background title task) became a new root.
    const task = turn([user("### Task: write a title")], '{"title":"A"}');
    const r = reconcileHistory([user("a"), model("A"), user("b")], [t1, task]);
    expect(r.parentId).toBe(t1.id);
    expect(r.contents).toEqual([user("a"), call("one"), result("one"), model("A"), user("b")]);
  });

  it("continues the regenerated answer the client shows, old or new", () => {
    const t1 = turn([user("a")], "A");
    const first = turn([user("b")], "first try", { tool: "x", parentId: t1.id });
    const second = turn([user("b")], "second try", { parentId: t1.id });
    const turns = [t1, first, second];
    const backToFirst = [user("a"), model("A"), user("b"), model("first try"), user("c")];
    expect(reconcileHistory(backToFirst, turns).parentId).toBe(first.id);
    const withSecond = [user("a"), model("A"), user("b"), model("second try"), user("c")];
    expect(reconcileHistory(withSecond, turns).parentId).toBe(second.id);
  });

  it("prefers the newest of identical siblings", () => {
    const older = turn([user("a")], "same");
    const newer = turn([user("a")], "same", { tool: "y" });
    const r = reconcileHistory([user("a"), model("same"), user("b")], [older, newer]);
    expect(r.parentId).toBe(newer.id);
  });
});
