import { describe, expect, it } from "vitest";
import { EvalOptionsError, OPTION_BOUNDS, parseEvalOptions } from "./eval-options.ts";

describe("parseEvalOptions", () => {
  it("has defaults: 3 runs, an 80% gate, 2 at once, 180 s per run, 30 minutes, the judge on", () => {
    expect(parseEvalOptions([])).toEqual({
      runs: 3,
      gate: 0.8,
      concurrency: 2,
      runTimeoutMs: 180_000,
      budgetMs: 1_800_000,
      agents: [],
      caseIds: [],
      reportDir: "tmp/eval-results",
      judgeModel: "gemini-2.5-flash",
      judge: true,
    });
  });

  it("takes each bound's limits and refuses past them, naming the flag", () => {
    const max = parseEvalOptions([
      "--runs",
      String(OPTION_BOUNDS.runs.max),
      "--concurrency",
      String(OPTION_BOUNDS.concurrency.max),
      "--timeout-seconds",
      String(OPTION_BOUNDS.timeoutSeconds.max),
      "--budget-minutes",
      String(OPTION_BOUNDS.budgetMinutes.max),
      "--gate",
      "1",
    ]);
    expect([max.runs, max.concurrency, max.runTimeoutMs, max.budgetMs, max.gate]).toEqual([
      10, 4, 600_000, 7_200_000, 1,
    ]);
    expect(() => parseEvalOptions(["--runs", "11"])).toThrow(
      "--runs must be a number from 1 to 10",
    );
    expect(() => parseEvalOptions(["--runs", "0"])).toThrow(EvalOptionsError);
    expect(() => parseEvalOptions(["--concurrency", "5"])).toThrow("--concurrency");
    expect(() => parseEvalOptions(["--timeout-seconds", "601"])).toThrow("--timeout-seconds");
    expect(() => parseEvalOptions(["--budget-minutes", "121"])).toThrow("--budget-minutes");
    expect(() => parseEvalOptions(["--gate", "80"])).toThrow("--gate must be a number from 0 to 1");
    expect(() => parseEvalOptions(["--runs", "2.5"])).toThrow("whole number");
    expect(() => parseEvalOptions(["--runs", ""])).toThrow(EvalOptionsError);
  });

  it("refuses unknown flags and agents, accepts agno/ names", () => {
    expect(() => parseEvalOptions(["--fast"])).toThrow(EvalOptionsError);
    expect(() => parseEvalOptions(["--agent", "agno/nobody"])).toThrow("no evaluations for");
    expect(
      parseEvalOptions(["--agent", "agno/demo-agent", "--agent", "sprint-reviewer"]).agents,
    ).toEqual(["demo-agent", "sprint-reviewer"]);
  });
});
