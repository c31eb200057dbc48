import { existsSync, readFileSync } from "node:fs";
import {
  type Digest,
  type Failure,
  failuresFileFor,
  formatFailures,
  pytestFailures,
} from "./test-report/failure-digest.ts";

/**
 * Adds up vitest's JSON report and pytest's JUnit XML into one closing line,
 * `N passed, N failed`, so a run that executed no test is visible at a glance.
 * A missing report counts as a failure: that suite did not run. More vitest reports may follow
 * (`just test-e2e`'s browser run, which `.ci/run` runs first and names here).
 * Above the total it prints what failed and why (from the failure digest reporter's files and
 * pytest's report): in CI the log's tail is often all a reader sees.
 */
const [vitestReport, pytestReport, ...extraReports] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const failures: Failure[] = [];
const retried: Failure[] = [];

/** Adds one vitest JSON report to the totals; a missing one is a suite that did not run. */
function addVitestReport(file: string | undefined): void {
  if (!file || !existsSync(file)) {
    process.stderr.write(`no vitest report at ${file}\n`);
    failed += 1;
    return;
  }
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults?: {
      name: string;
      status: string;
      message?: string;
      assertionResults?: { status: string }[];
    }[];
  };
  // The digest has every failure with its error; without it only a file's own message is known.
  const digest = failuresFileFor(file);
  const hasDigest = existsSync(digest);
  if (hasDigest) {
    const found = JSON.parse(readFileSync(digest, "utf8")) as Digest;
    failures.push(...found.failures);
    retried.push(...found.retried);
  }
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A file that failed outside any test (a throwing beforeAll, an import error) fails no test
  // itself: its tests show as skipped or not at all. Count them as failed, at least one.
  for (const result of report.testResults ?? []) {
    const tests = result.assertionResults ?? [];
    if (result.status !== "failed" || tests.some((test) => test.status === "failed")) continue;
    const notRun = tests.filter((test) => test.status !== "passed").length;
    failed += Math.max(1, notRun);
    skipped -= notRun;
    if (!hasDigest && result.message)
      failures.push({ where: result.name, message: result.message });
  }
}

addVitestReport(vitestReport);
for (const extra of extraReports) addVitestReport(extra);

if (pytestReport && existsSync(pytestReport)) {
  const xml = readFileSync(pytestReport, "utf8");
  const suite = /<testsuite\b[^>]*>/.exec(xml)?.[0] ?? "";
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
  const pyFailed = attr("failures") + attr("errors");
  const pySkipped = attr("skipped");
  failures.push(...pytestFailures(xml));
  passed += attr("tests") - pyFailed - pySkipped;
  failed += pyFailed;
  skipped += pySkipped;
} else {
  process.stderr.write(`no pytest report at ${pytestReport}\n`);
  failed += 1;
}

process.stdout.write(formatFailures(retried, "RETRIED"));
process.stdout.write(formatFailures(failures));
process.stdout.write(
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
