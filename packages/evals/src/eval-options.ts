import { parseArgs } from "node:util";
import { EVAL_AGENTS, type EvalAgent } from "./eval-case.ts";

export interface EvalOptions {
  readonly runs: number;
  readonly gate: number;
  readonly concurrency: number;
  readonly runTimeoutMs: number;
  readonly budgetMs: number;
  readonly agents: readonly EvalAgent[];
  readonly caseIds: readonly string[];
  readonly reportDir: string;
  readonly judgeModel: string;
  readonly judge: boolean;
}

/**
 * Each bound with its default and why:
 * - runs 3 (1…10): one run says little about a model at temperature 0.2–0.7; ten of each of
 *   some fifteen cases is already several hundred Gemini calls.
 * - gate 0.8 (0…1): four of five runs; real Gemini varies its wording and sometimes its tools.
 * - concurrency 2 (1…4): Gemini's free tier allows some 10 requests a minute to 2.5 Flash and a
 *   run makes 2–7 of them; 4 stays under paid tier 1's limits with room for the judge.
 * - 180 s per run (10…600): a sprint review's six model rounds take well under a minute.
 * - 30 min for the whole run (1…120): no new run starts after it; those not made fail.
 */
export const OPTION_BOUNDS = {
  runs: { default: 3, min: 1, max: 10 },
  gate: { default: 0.8, min: 0, max: 1 },
  concurrency: { default: 2, min: 1, max: 4 },
  timeoutSeconds: { default: 180, min: 10, max: 600 },
  budgetMinutes: { default: 30, min: 1, max: 120 },
} as const;

export class EvalOptionsError extends Error {
  override readonly name = "EvalOptionsError";
}

export const USAGE = `usage: just test-eval [--runs N] [--gate RATE] [--concurrency N] [--timeout-seconds S]
                      [--budget-minutes M] [--agent NAME]... [--case ID]... [--no-judge]
                      [--report-dir DIR] [--judge-model MODEL]`;

function bounded(name: keyof typeof OPTION_BOUNDS, flag: string, raw: string | undefined): number {
  const bounds = OPTION_BOUNDS[name];
  if (raw === undefined) return bounds.default;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < bounds.min || value > bounds.max) {
    throw new EvalOptionsError(
      `--${flag} must be a number from ${bounds.min} to ${bounds.max}, not ${JSON.stringify(raw)}`,
    );
  }
  if (name !== "gate" && !Number.isInteger(value)) {
    throw new EvalOptionsError(`--${flag} must be a whole number, not ${JSON.stringify(raw)}`);
  }
  return value;
}

export function parseEvalOptions(argv: readonly string[]): EvalOptions {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new EvalOptionsError(`${(error as Error).message}\n${USAGE}`);
  }
  const agents = (values.agent ?? []).map((agent) => {
    const name = agent.replace(/^agno\//, "");
    if (!(EVAL_AGENTS as readonly string[]).includes(name)) {
      throw new EvalOptionsError(
        `--agent: no evaluations for ${JSON.stringify(agent)}; one of ${EVAL_AGENTS.join(", ")}`,
      );
    }
    return name as EvalAgent;
  });
  return {
    runs: bounded("runs", "runs", values.runs),
    gate: bounded("gate", "gate", values.gate),
    concurrency: bounded("concurrency", "concurrency", values.concurrency),
    runTimeoutMs: bounded("timeoutSeconds", "timeout-seconds", values["timeout-seconds"]) * 1000,
    budgetMs: bounded("budgetMinutes", "budget-minutes", values["budget-minutes"]) * 60_000,
    agents,
    caseIds: values.case ?? [],
    reportDir: values["report-dir"] ?? "tmp/eval-results",
    judgeModel: values["judge-model"] ?? "gemini-2.5-flash",
    judge: values["no-judge"] !== true,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      runs: { type: "string" },
      gate: { type: "string" },
      concurrency: { type: "string" },
      "timeout-seconds": { type: "string" },
      "budget-minutes": { type: "string" },
      agent: { type: "string", multiple: true },
      case: { type: "string", multiple: true },
      "report-dir": { type: "string" },
      "judge-model": { type: "string" },
      "no-judge": { type: "boolean" },
    },
  });
}
