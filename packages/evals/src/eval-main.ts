import { allCases } from "./cases/index.ts";
import { validateCases } from "./eval-case.ts";
import { EvalOptionsError, parseEvalOptions, USAGE } from "./eval-options.ts";
import { startEvalStack } from "./eval-stack.ts";
import { judgeAnswer } from "./judge.ts";
import { buildReport, summaryTable, writeReport } from "./report.ts";
import { runCases } from "./run-cases.ts";

/** Exit codes: 0 the gate passed, 1 it failed (or the harness broke), 2 nothing ran (no key). */
export const EXIT = { passed: 0, failed: 1, notRun: 2 } as const;

const rubrics = allCases.filter((c) => c.rubric !== undefined).length;

/** What a real run needs and costs; printed instead of a result when there is no key. */
export const NEEDS_KEY = `test-eval: NOT RUN, nothing passed. The evaluations talk to real Gemini and need GEMINI_API_KEY
(in .env.secrets or the environment). With it, \`npx just test-eval\` starts the runtime and the
LiteLLM proxy with the fake Jira, Google and Drive, asks the agents ${allCases.length} cases 3 times each and
gates on an 80% pass rate per agent: ${allCases.length * 3} runs of 2 to 7 Gemini 2.5 Flash calls each (about
200-300 calls) and up to ${rubrics * 3} judge calls; 10-20 minutes at 2 runs at once.`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help")) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.passed;
  }
  const options = parseEvalOptions(argv);
  const apiKey = process.env.GEMINI_API_KEY ?? "";
  if (apiKey === "") {
    process.stderr.write(`${NEEDS_KEY}\n`);
    return EXIT.notRun;
  }
  const cases = validateCases(allCases).filter(
    (c) =>
      (options.agents.length === 0 || options.agents.includes(c.agent)) &&
      (options.caseIds.length === 0 || options.caseIds.includes(c.id)),
  );
  const unknown = options.caseIds.filter((id) => !cases.some((c) => c.id === id));
  if (unknown.length > 0) throw new EvalOptionsError(`--case: no case ${unknown.join(", ")}`);
  if (cases.length === 0) throw new EvalOptionsError("no case matches --agent and --case");

  const calls = cases.length * options.runs;
  process.stderr.write(
    `test-eval: ${cases.length} cases x ${options.runs} runs = ${calls} runs on real Gemini (${options.concurrency} at once, ${options.runTimeoutMs / 1000} s each at most)\n`,
  );
  // The runtime's own variable for another Gemini endpoint: a dry run of this command on the
  // testkit's fake Gemini (which answers without tools, so the cases fail, as they should).
  const baseUrl = process.env.GOOGLE_GEMINI_BASE_URL || undefined;
  const startedAt = new Date();
  const stack = await startEvalStack({ geminiApiKey: apiKey, geminiBaseUrl: baseUrl });
  try {
    const scores = await runCases({
      cases,
      runsPerCase: options.runs,
      concurrency: options.concurrency,
      runTimeoutMs: options.runTimeoutMs,
      budgetMs: options.budgetMs,
      ask: stack.ask,
      judge: options.judge
        ? (evalCase, outcome, signal) =>
            judgeAnswer(
              {
                rubric: evalCase.rubric ?? "",
                question: evalCase.messages.at(-1)?.content ?? "",
                answer: outcome.text,
              },
              { apiKey, baseUrl, model: options.judgeModel, signal },
            )
        : undefined,
      onRun: (evalCase, run, score) =>
        process.stderr.write(
          `  ${score.passed ? "pass" : "FAIL"}  ${evalCase.id} #${run} (${Math.round(score.durationMs / 1000)} s)${score.passed ? "" : `: ${score.failures.join("; ")}`}\n`,
        ),
    });
    const report = buildReport({
      cases,
      scores,
      runsPerCase: options.runs,
      gate: options.gate,
      model: `each agent's own Gemini model${baseUrl ? ` at ${baseUrl}` : ""}; judge ${options.judge ? options.judgeModel : "off"}`,
      startedAt,
      finishedAt: new Date(),
    });
    const file = writeReport(report, options.reportDir);
    process.stdout.write(`${summaryTable(report)}\nreport: ${file}\n`);
    return report.passed ? EXIT.passed : EXIT.failed;
  } finally {
    await stack.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`test-eval: ${message}\n`);
    process.exitCode = EXIT.failed;
  },
);
