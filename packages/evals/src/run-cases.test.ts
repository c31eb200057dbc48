import { describe, expect, it } from "vitest";
import type { EvalCase } from "./eval-case.ts";
import { runCases } from "./run-cases.ts";
import type { RunOutcome } from "./score-run.ts";

const evalCase = (id: string, rubric?: string): EvalCase => ({
  id,
  agent: "demo-agent",
  messages: [{ role: "user", content: "q" }],
  expectedTools: [],
  facts: ["blue"],
  ...(rubric ? { rubric } : {}),
});
const answer = (text: string): RunOutcome => ({ text, toolCalls: [], durationMs: 1 });

describe("runCases", () => {
  it("runs each case N times, interleaved, never more at once than the concurrency", async () => {
    const order: string[] = [];
    let inFlight = 0;
    let most = 0;
    const scores = await runCases({
      cases: [evalCase("a"), evalCase("b")],
      runsPerCase: 3,
      concurrency: 2,
      runTimeoutMs: 10_000,
      budgetMs: 60_000,
      ask: async (c, run) => {
        order.push(`${c.id}${run}`);
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return answer(c.id === "a" ? "Blue it is" : "red");
      },
    });
    expect(order).toEqual(["a1", "b1", "a2", "b2", "a3", "b3"]);
    expect(most).toBe(2);
    expect(scores.get("a")?.map((s) => s.passed)).toEqual([true, true, true]);
    expect(scores.get("b")?.[0]?.failures).toEqual(['fact missing: "blue"']);
  });

  it("starts no run once the time budget is spent", async () => {
    const scores = await runCases({
      cases: [evalCase("a")],
      runsPerCase: 3,
      concurrency: 1,
      runTimeoutMs: 10_000,
      budgetMs: 0,
      ask: async () => answer("blue"),
    });
    expect(scores.get("a")).toEqual([]);
  });

  it("judges only runs that passed otherwise; a failed verdict fails the run", async () => {
    const judged: string[] = [];
    const scores = await runCases({
      cases: [evalCase("a", "be nice"), evalCase("b", "be nice")],
      runsPerCase: 1,
      concurrency: 1,
      runTimeoutMs: 10_000,
      budgetMs: 60_000,
      ask: async (c) => answer(c.id === "a" ? "blue" : "nothing"),
      judge: async (c) => {
        judged.push(c.id);
        return { pass: false, reason: "not nice" };
      },
    });
    expect(judged).toEqual(["a"]);
    expect(scores.get("a")?.[0]?.failures).toEqual(["judge: not nice"]);
  });

  it("fails a rubric-only case no judge looked at: nothing checked is no pass", async () => {
    const rubricOnly: EvalCase = { ...evalCase("r", "asks a question"), facts: [] };
    const unjudged = await runCases({
      cases: [rubricOnly],
      runsPerCase: 1,
      concurrency: 1,
      runTimeoutMs: 10_000,
      budgetMs: 60_000,
      ask: async () => answer("Which color?"),
    });
    expect(unjudged.get("r")?.[0]?.failures).toEqual([
      "not checked: this case has only a rubric and no judge ran",
    ]);
    const judged = await runCases({
      cases: [rubricOnly],
      runsPerCase: 1,
      concurrency: 1,
      runTimeoutMs: 10_000,
      budgetMs: 60_000,
      ask: async () => answer("Which color?"),
      judge: async () => ({ pass: true, reason: "asks" }),
    });
    expect(judged.get("r")?.[0]?.passed).toBe(true);
  });

  it("hands each run a signal that aborts at the time per run; the run fails with the reason", async () => {
    const scores = await runCases({
      cases: [evalCase("a")],
      runsPerCase: 1,
      concurrency: 1,
      runTimeoutMs: 1,
      budgetMs: 60_000,
      ask: (_c, _run, signal) =>
        new Promise((resolve) =>
          signal.addEventListener("abort", () =>
            resolve({ ...answer(""), error: "no answer within the time per run" }),
          ),
        ),
    });
    expect(scores.get("a")?.[0]?.failures).toEqual([
      "no answer: no answer within the time per run",
    ]);
  });
});
