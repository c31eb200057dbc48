import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type FakeGemini, startFakeGemini, TEAM_MAPPING_DOC_ID } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCases } from "../src/cases/index.ts";
import type { EvalCase } from "../src/eval-case.ts";
import { type EvalStack, startEvalStack } from "../src/eval-stack.ts";
import { judgeAnswer } from "../src/judge.ts";
import { buildReport, summaryTable, writeReport } from "../src/report.ts";
import { runCases } from "../src/run-cases.ts";

// The harness end to end on the fake Gemini, scripted: the real LiteLLM proxy and the runtime
// with the fake Jira, Google and Drive, as `just test-eval` runs them on real Gemini. One case
// the scripted model answers well (it must pass, judge included), one it answers by guessing
// without the tool (it must fail), and the report and gate that follow.

const byId = (id: string) => allCases.find((c) => c.id === id) as EvalCase;
const detail = byId("release-issue-detail");
const palette = byId("demo-complementary-palette");
const GOOD_ANSWER =
  "DEMO-1 is In Progress, assigned to Dana Reyes: the CSV encoder skips rows it cannot map to Latin-1; the fix is in review.";

describe("the evaluation harness through the real LiteLLM proxy (fake Gemini)", () => {
  let gemini: FakeGemini;
  let stack: EvalStack;
  let reportDir: string;

  beforeAll(async () => {
    gemini = await startFakeGemini({ port: 0 });
    // As `just test-eval` loads it from a developer's .env.secrets: the harness's proxy must
    // not pass it on (it would then refuse the plain identity headers every run sends).
    process.env.AGENTLLM_IDENTITY_JWT_SECRET = "a-developers-identity-secret-0123456789abcdef";
    try {
      stack = await startEvalStack({
        geminiApiKey: "fake-gemini-key",
        geminiBaseUrl: gemini.url,
      });
    } finally {
      delete process.env.AGENTLLM_IDENTITY_JWT_SECRET;
    }
    reportDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-eval-results-"));
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await gemini?.close();
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
  });

  it("passes a case answered from the tools, fails one answered by guessing, and gates on it", async () => {
    const withRubric: EvalCase = { ...detail, rubric: "Says who works on DEMO-1." };
    // One at a time, so the script's turns meet the requests in this order: per run, the
    // agent's rounds and then (for a run that passed the checks) the judge.
    for (let run = 0; run < 2; run++) {
      gemini.enqueue(
        { parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }] },
        { parts: [{ text: GOOD_ANSWER }] },
        { parts: [{ text: '{"pass": true, "reason": "It names Dana Reyes."}' }] },
        {
          parts: [
            { text: "Try #3366CC with #FF8800 and #FFFFFF: a lovely complementary palette." },
          ],
        },
      );
    }
    const scores = await runCases({
      cases: [withRubric, palette],
      runsPerCase: 2,
      concurrency: 1,
      runTimeoutMs: 60_000,
      budgetMs: 300_000,
      ask: stack.ask,
      judge: (evalCase, outcome, signal) =>
        judgeAnswer(
          { rubric: evalCase.rubric ?? "", question: "q", answer: outcome.text },
          { apiKey: "fake-gemini-key", baseUrl: gemini.url, model: "gemini-2.5-flash", signal },
        ),
    });

    const passing = scores.get(detail.id) ?? [];
    expect(passing.map((run) => run.passed)).toEqual([true, true]);
    expect(passing[0]?.toolCalls).toEqual(["get_issue"]);
    // What the agent's two Gemini calls used, from the answer's usage: the cost of a run.
    expect(passing[0]?.usage?.promptTokens).toBeGreaterThan(0);
    expect(passing[0]?.judge).toEqual({ pass: true, reason: "It names Dana Reyes." });

    const failing = scores.get(palette.id) ?? [];
    expect(failing.map((run) => run.passed)).toEqual([false, false]);
    expect(failing[0]?.failures).toEqual([
      'tool not called: generate_color_palette {"paletteType":"complementary","color":"3366CC"}',
      'fact missing: "#CC9933"',
      'fact missing: "#99B3E6"',
      'fact missing: "#7A5C1F"',
    ]);

    // The tool ran for real against the fake Jira, as the user the harness connected.
    const toolResult = JSON.stringify(
      gemini.requests.flatMap((request) => request.body.contents ?? []),
    );
    expect(toolResult).toContain("Export to CSV drops rows with non-ASCII names");

    const report = buildReport({
      cases: [withRubric, palette],
      scores,
      runsPerCase: 2,
      gate: 0.8,
      model: "fake",
      startedAt: new Date(),
      finishedAt: new Date(),
    });
    expect(report.agents).toEqual([
      { agent: "release-manager", runs: 2, passedRuns: 2, passRate: 1, passed: true },
      { agent: "demo-agent", runs: 2, passedRuns: 0, passRate: 0, passed: false },
    ]);
    expect(report.passed).toBe(false);
    expect(summaryTable(report)).toContain("FAIL  agno/demo-agent: 0/2 runs passed (0%, gate 80%)");
    const file = writeReport(report, reportDir);
    expect(JSON.parse(readFileSync(file, "utf8")).cases[1].runs[0].failures[0]).toContain(
      "tool not called: generate_color_palette",
    );
  }, 120_000);

  it("connects each run's user to Drive and Jira: the sprint reviewer reads the mapping and the team's issues", async () => {
    gemini.reset();
    const blocked = byId("sprint-blocked-web");
    gemini.enqueue(
      {
        parts: [
          {
            functionCall: {
              name: "get_document_content",
              args: { url_or_id: TEAM_MAPPING_DOC_ID },
            },
          },
        ],
      },
      {
        parts: [
          {
            functionCall: {
              name: "get_issues_by_team",
              args: { project: "DEMO", components: ["Frontend"] },
            },
          },
        ],
      },
      { parts: [{ text: "Blocked: DEMO-21 Speed up the invoice list (labelled blocked)." }] },
    );
    const [run] =
      (
        await runCases({
          cases: [blocked],
          runsPerCase: 1,
          concurrency: 1,
          runTimeoutMs: 60_000,
          budgetMs: 60_000,
          ask: stack.ask,
        })
      ).get(blocked.id) ?? [];
    expect(run?.failures).toEqual([]);
    const results = JSON.stringify(gemini.requests.at(-1)?.body.contents);
    expect(results).toContain("| Web | Frontend | DEMO | Lin Park |");
    expect(results).toContain("DEMO-21 [In Progress] Story: Speed up the invoice list");
  }, 60_000);

  it("a run past its time fails with that reason, and the stack answers the next one", async () => {
    gemini.reset();
    gemini.enqueue({ hang: true });
    const [hung] =
      (
        await runCases({
          cases: [detail],
          runsPerCase: 1,
          concurrency: 1,
          runTimeoutMs: 1_000,
          budgetMs: 60_000,
          ask: stack.ask,
        })
      ).get(detail.id) ?? [];
    expect(hung?.failures).toEqual(["no answer: no answer within the time per run"]);

    gemini.enqueue(
      { parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }] },
      { parts: [{ text: GOOD_ANSWER }] },
    );
    const [next] =
      (
        await runCases({
          cases: [detail],
          runsPerCase: 1,
          concurrency: 1,
          runTimeoutMs: 30_000,
          budgetMs: 60_000,
          ask: stack.ask,
        })
      ).get(detail.id) ?? [];
    expect(next?.failures).toEqual([]);
  }, 60_000);
});
