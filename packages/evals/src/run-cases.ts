import type { EvalCase } from "./eval-case.ts";
import type { JudgeVerdict } from "./judge.ts";
import { type RunOutcome, type RunScore, scoreRun } from "./score-run.ts";

export interface RunCasesOptions {
  readonly cases: readonly EvalCase[];
  readonly runsPerCase: number;
  /** Runs in flight at once. */
  readonly concurrency: number;
  /** A run without an answer by then is aborted and fails. */
  readonly runTimeoutMs: number;
  /** No new run starts after this; runs not made count as failed in the report. */
  readonly budgetMs: number;
  readonly ask: (evalCase: EvalCase, run: number, signal: AbortSignal) => Promise<RunOutcome>;
  /** For cases with a rubric; not called for a run that already failed. */
  readonly judge?:
    | ((evalCase: EvalCase, outcome: RunOutcome, signal: AbortSignal) => Promise<JudgeVerdict>)
    | undefined;
  /** After each run, e.g. a progress line. */
  readonly onRun?: ((evalCase: EvalCase, run: number, score: RunScore) => void) | undefined;
}

/**
 * Runs every case `runsPerCase` times with at most `concurrency` runs at once and returns the
 * scores by case id. Runs of one case are spread out (case 1 run 1, case 2 run 1, …) so a rate
 * limit or a time budget running out hits every case alike rather than the last ones.
 */
export async function runCases(options: RunCasesOptions): Promise<Map<string, RunScore[]>> {
  const queue: { evalCase: EvalCase; run: number }[] = [];
  for (let run = 1; run <= options.runsPerCase; run++) {
    for (const evalCase of options.cases) queue.push({ evalCase, run });
  }
  const scores = new Map<string, RunScore[]>(options.cases.map((c) => [c.id, []]));
  const deadline = Date.now() + options.budgetMs;
  const worker = async () => {
    for (;;) {
      const next = queue.shift();
      if (!next || Date.now() >= deadline) return;
      const { evalCase, run } = next;
      const signal = AbortSignal.timeout(options.runTimeoutMs);
      const outcome = await options.ask(evalCase, run, signal);
      let verdict: JudgeVerdict | undefined;
      const judge = options.judge;
      if (evalCase.rubric !== undefined && judge && outcome.error === undefined) {
        // The judge costs a call: only for a run that passed every other check.
        const otherChecks = scoreRun(evalCase, outcome, { pass: true, reason: "" });
        if (otherChecks.passed) verdict = await judge(evalCase, outcome, signal);
      }
      const score = scoreRun(evalCase, outcome, verdict);
      scores.get(evalCase.id)?.push(score);
      options.onRun?.(evalCase, run, score);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return scores;
}
