import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { EvalAgent, EvalCase } from "./eval-case.ts";
import type { RunScore, TokenUsage } from "./score-run.ts";

export interface CaseResult {
  readonly id: string;
  readonly agent: EvalAgent;
  readonly runs: readonly RunScore[];
  readonly passedRuns: number;
  readonly passRate: number;
}

export interface AgentResult {
  readonly agent: EvalAgent;
  readonly runs: number;
  readonly passedRuns: number;
  readonly passRate: number;
  readonly passed: boolean;
}

export interface EvalReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly model: string;
  readonly runsPerCase: number;
  /** The pass rate each agent must reach, 0 to 1. */
  readonly gate: number;
  readonly passed: boolean;
  /** The agents' Gemini tokens over every run made (the judge's not included). */
  readonly usage: TokenUsage;
  readonly agents: readonly AgentResult[];
  readonly cases: readonly CaseResult[];
}

/**
 * The gate is per agent: each agent's share of passing runs over all its cases must reach
 * `gate`, so one agent's good results cannot hide another's. A case whose runs were never made
 * (the time budget ran out) counts its missing runs as failures: nothing passes unrun.
 */
export function buildReport(input: {
  cases: readonly EvalCase[];
  scores: ReadonlyMap<string, readonly RunScore[]>;
  runsPerCase: number;
  gate: number;
  model: string;
  startedAt: Date;
  finishedAt: Date;
}): EvalReport {
  const cases: CaseResult[] = input.cases.map((evalCase) => {
    const runs = input.scores.get(evalCase.id) ?? [];
    const passedRuns = runs.filter((run) => run.passed).length;
    return {
      id: evalCase.id,
      agent: evalCase.agent,
      runs,
      passedRuns,
      passRate: passedRuns / input.runsPerCase,
    };
  });
  const agentNames = [...new Set(input.cases.map((evalCase) => evalCase.agent))];
  const agents: AgentResult[] = agentNames.map((agent) => {
    const own = cases.filter((result) => result.agent === agent);
    const runs = own.length * input.runsPerCase;
    const passedRuns = own.reduce((sum, result) => sum + result.passedRuns, 0);
    const passRate = runs === 0 ? 0 : passedRuns / runs;
    return { agent, runs, passedRuns, passRate, passed: runs > 0 && passRate >= input.gate };
  });
  const made = cases.flatMap((result) => result.runs);
  const usage = {
    promptTokens: made.reduce((sum, run) => sum + (run.usage?.promptTokens ?? 0), 0),
    completionTokens: made.reduce((sum, run) => sum + (run.usage?.completionTokens ?? 0), 0),
  };
  return {
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    model: input.model,
    runsPerCase: input.runsPerCase,
    gate: input.gate,
    passed: agents.length > 0 && agents.every((agent) => agent.passed),
    usage,
    agents,
    cases,
  };
}

const percent = (rate: number) => `${Math.round(rate * 100)}%`;

/** The table printed on stdout: one line per case, then one per agent against the gate. */
export function summaryTable(report: EvalReport): string {
  const width = Math.max(4, ...report.cases.map((result) => result.id.length));
  const lines = [`${"case".padEnd(width)}  agent            passed  rate  first failure`];
  for (const result of report.cases) {
    const failure = result.runs.flatMap((run) => run.failures)[0] ?? "";
    const runsMade = result.runs.length;
    const missing = report.runsPerCase - runsMade;
    lines.push(
      [
        result.id.padEnd(width),
        result.agent.padEnd(15),
        `${result.passedRuns}/${report.runsPerCase}`.padStart(6),
        percent(result.passRate).padStart(5),
        missing > 0 ? `${missing} run(s) not made (time budget)` : failure.slice(0, 100),
      ].join("  "),
    );
  }
  lines.push("");
  for (const agent of report.agents) {
    lines.push(
      `${agent.passed ? "PASS" : "FAIL"}  agno/${agent.agent}: ${agent.passedRuns}/${agent.runs} runs passed (${percent(agent.passRate)}, gate ${percent(report.gate)})`,
    );
  }
  lines.push(
    `tokens: ${report.usage.promptTokens} in, ${report.usage.completionTokens} out (the agents' Gemini calls, judge not included)`,
  );
  lines.push(report.passed ? "evals: passed the gate" : "evals: FAILED the gate");
  return lines.join("\n");
}

/** Writes the report as `<dir>/eval-<timestamp>.json` and `<dir>/latest.json`; returns the first. */
export function writeReport(report: EvalReport, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `eval-${report.startedAt.replaceAll(":", "-")}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(path.join(dir, "latest.json"), json);
  return file;
}
