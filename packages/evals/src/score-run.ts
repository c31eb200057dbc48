import type { EvalCase } from "./eval-case.ts";
import type { JudgeVerdict } from "./judge.ts";
import { missingToolCalls, normalize } from "./tool-call-match.ts";
import type { ObservedToolCall } from "./tool-cards.ts";

/** What one run of a case produced: the answer's text and tool calls, or why there is none. */
export interface RunOutcome {
  readonly text: string;
  readonly toolCalls: readonly ObservedToolCall[];
  /** Set when the request failed or timed out: the run fails with this reason. */
  readonly error?: string | undefined;
  readonly durationMs: number;
  /** What the agent's Gemini calls used, as the answer's `usage` reports it (judge not included). */
  readonly usage?: TokenUsage | undefined;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface RunScore {
  readonly passed: boolean;
  /** Each reason the run failed, in words a report reader can act on; empty when it passed. */
  readonly failures: readonly string[];
  readonly toolCalls: readonly string[];
  readonly durationMs: number;
  readonly usage?: TokenUsage | undefined;
  readonly judge?: JudgeVerdict | undefined;
}

/** Scores one run: every expected tool called, every fact in the answer, the judge satisfied. */
export function scoreRun(
  evalCase: EvalCase,
  outcome: RunOutcome,
  verdict?: JudgeVerdict,
): RunScore {
  const failures: string[] = [];
  if (outcome.error !== undefined) failures.push(`no answer: ${outcome.error}`);
  else {
    for (const missing of missingToolCalls(evalCase.expectedTools, outcome.toolCalls)) {
      failures.push(
        `tool not called: ${missing.name}${missing.args ? ` ${JSON.stringify(missing.args)}` : ""}`,
      );
    }
    const text = normalize(outcome.text);
    for (const fact of evalCase.facts) {
      if (!text.includes(normalize(fact))) failures.push(`fact missing: ${JSON.stringify(fact)}`);
    }
    if (evalCase.rubric !== undefined && verdict && !verdict.pass) {
      failures.push(`judge: ${verdict.reason}`);
    }
    // Unjudged (--no-judge), a case with only a rubric checked nothing: that is no pass.
    const checksBesidesRubric = evalCase.expectedTools.length + evalCase.facts.length;
    if (evalCase.rubric !== undefined && !verdict && checksBesidesRubric === 0) {
      failures.push("not checked: this case has only a rubric and no judge ran");
    }
  }
  return {
    passed: failures.length === 0,
    failures,
    toolCalls: outcome.toolCalls.map((call) => call.name),
    durationMs: outcome.durationMs,
    ...(outcome.usage ? { usage: outcome.usage } : {}),
    ...(verdict ? { judge: verdict } : {}),
  };
}
