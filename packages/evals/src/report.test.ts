import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { EvalCase } from "./eval-case.ts";
import { buildReport, summaryTable, writeReport } from "./report.ts";
import type { RunScore } from "./score-run.ts";

const evalCase = (id: string, agent: EvalCase["agent"]): EvalCase => ({
  id,
  agent,
  messages: [{ role: "user", content: "q" }],
  expectedTools: [],
  facts: [],
});
const run = (passed: boolean): RunScore => ({
  passed,
  failures: passed ? [] : ['fact missing: "DEMO-1"'],
  toolCalls: [],
  durationMs: 1,
  usage: { promptTokens: 100, completionTokens: 10 },
});
const cases = [
  evalCase("a", "demo-agent"),
  evalCase("b", "demo-agent"),
  evalCase("c", "sprint-reviewer"),
];
const report = (scores: Record<string, RunScore[]>, gate = 0.8) =>
  buildReport({
    cases,
    scores: new Map(Object.entries(scores)),
    runsPerCase: 5,
    gate,
    model: "m",
    startedAt: new Date("2026-11-30T10:00:00Z"),
    finishedAt: new Date("2026-11-30T10:05:00Z"),
  });
const times = (n: number, passed: boolean) => Array.from({ length: n }, () => run(passed));

describe("buildReport", () => {
  it("gates each agent on its share of passing runs; exactly the gate passes", () => {
    const result = report({
      a: times(5, true),
      b: [...times(3, true), ...times(2, false)],
      c: [...times(4, true), run(false)],
    });
    expect(result.agents).toEqual([
      { agent: "demo-agent", runs: 10, passedRuns: 8, passRate: 0.8, passed: true },
      { agent: "sprint-reviewer", runs: 5, passedRuns: 4, passRate: 0.8, passed: true },
    ]);
    expect(result.passed).toBe(true);
    expect(result.cases.map((c) => c.passRate)).toEqual([1, 0.6, 0.8]);
    expect(result.usage).toEqual({ promptTokens: 1500, completionTokens: 150 });
  });

  it("fails when any agent is under the gate, however well the others did", () => {
    const result = report({
      a: times(5, true),
      b: times(5, true),
      c: [...times(3, true), ...times(2, false)],
    });
    expect(result.agents.map((a) => a.passed)).toEqual([true, false]);
    expect(result.passed).toBe(false);
  });

  it("counts runs never made (time budget) as failures, and nothing run as failed", () => {
    const partial = report({ a: times(2, true), b: times(5, true), c: times(5, true) });
    expect(partial.cases[0]).toMatchObject({ passedRuns: 2, passRate: 0.4 });
    expect(partial.agents[0]).toMatchObject({ passedRuns: 7, passRate: 0.7, passed: false });
    expect(report({}).passed).toBe(false);
    expect(report({}, 0).agents.every((agent) => agent.passed)).toBe(true);
  });
});

describe("summaryTable and writeReport", () => {
  it("prints a line per case with its first failure, a line per agent, and the verdict", () => {
    const table = summaryTable(report({ a: times(5, true), b: [run(false)], c: times(5, true) }));
    expect(table).toMatch(/^a\s+demo-agent\s+5\/5\s+100%/m);
    expect(table).toMatch(/^b\s+demo-agent\s+0\/5\s+0%\s+4 run\(s\) not made \(time budget\)/m);
    expect(table).toContain("FAIL  agno/demo-agent: 5/10 runs passed (50%, gate 80%)");
    expect(table).toContain("PASS  agno/sprint-reviewer: 5/5 runs passed (100%, gate 80%)");
    expect(table.trimEnd().split("\n").at(-1)).toBe("evals: FAILED the gate");
  });

  it("writes the JSON report under a timestamped name and as latest.json", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-eval-report-"));
    try {
      const built = report({ a: times(5, true) });
      const file = writeReport(built, path.join(dir, "nested"));
      expect(path.basename(file)).toBe("eval-2026-11-30T10-00-00.000Z.json");
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(built);
      expect(readFileSync(path.join(dir, "nested", "latest.json"), "utf8")).toBe(
        readFileSync(file, "utf8"),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
