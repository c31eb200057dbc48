export { allCases } from "./cases/index.ts";
export {
  CASE_LIMITS,
  EVAL_AGENTS,
  type EvalAgent,
  type EvalCase,
  type ExpectedToolCall,
  InvalidCasesError,
  validateCases,
} from "./eval-case.ts";
export { type EvalStack, type EvalStackOptions, startEvalStack } from "./eval-stack.ts";
export { JUDGE_ANSWER_CHARS, type JudgeVerdict, judgeAnswer } from "./judge.ts";
export {
  type AgentResult,
  buildReport,
  type CaseResult,
  type EvalReport,
  summaryTable,
  writeReport,
} from "./report.ts";
export { type RunCasesOptions, runCases } from "./run-cases.ts";
export { type RunOutcome, type RunScore, scoreRun } from "./score-run.ts";
export { missingToolCalls, valueMatches } from "./tool-call-match.ts";
export { type ObservedToolCall, splitAnswer } from "./tool-cards.ts";
