import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Reporter, TestModule, TestRunEndReason, Vitest } from "vitest/node";
import { type Digest, type Failure, failuresFileFor, RETRIED_MARKER } from "./failure-digest.ts";

type SerializedError = Parameters<NonNullable<Reporter["onTestRunEnd"]>>[1][number];
type UserConsoleLog = Parameters<NonNullable<Reporter["onUserConsoleLog"]>>[0];

/**
 * Writes every failure of a vitest run, with its error, next to the run's JSON report
 * (`vitest.json` → `vitest.failures.json`) for `test-summary.ts`. Vitest's JSON report leaves out
 * errors thrown outside a test (a failing `beforeAll` marks its tests skipped with no message),
 * which are exactly the failures a start-up problem causes. It also keeps the console lines a
 * test marks with `RETRIED_MARKER`: what failed once and worked the second time.
 */
export default class FailureDigestReporter implements Reporter {
  #outputFile: string | undefined;
  #root = process.cwd();
  readonly #retried: Failure[] = [];

  onInit(vitest: Vitest): void {
    const outputFile = vitest.config.outputFile;
    const json = typeof outputFile === "object" ? outputFile.json : undefined;
    if (!json)
      throw new Error("the failure digest needs --outputFile.json, and is written beside it");
    this.#root = vitest.config.root;
    this.#outputFile = failuresFileFor(path.resolve(this.#root, json));
  }

  onUserConsoleLog(log: UserConsoleLog): void {
    if (!log.content.startsWith(RETRIED_MARKER)) return;
    const text = log.content.slice(RETRIED_MARKER.length).trim();
    const [where = "", ...rest] = text.split("\n");
    this.#retried.push({ where, message: rest.join("\n") });
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    _reason: TestRunEndReason,
  ): void {
    const failures: Failure[] = [];
    for (const module of modules) {
      const file = path.relative(this.#root, module.moduleId);
      for (const error of module.errors()) failures.push(describe(file, error));
      for (const suite of module.children.allSuites()) {
        for (const error of suite.errors())
          failures.push(describe(`${file} > ${suite.fullName}`, error));
      }
      for (const test of module.children.allTests("failed")) {
        const result = test.result();
        const errors = result.state === "failed" ? result.errors : [];
        for (const error of errors) failures.push(describe(`${file} > ${test.fullName}`, error));
      }
    }
    for (const error of unhandledErrors) failures.push(describe("outside any test", error));
    if (!this.#outputFile) return;
    mkdirSync(path.dirname(this.#outputFile), { recursive: true });
    const digest: Digest = { failures, retried: this.#retried };
    writeFileSync(this.#outputFile, `${JSON.stringify(digest, null, 2)}\n`);
  }
}

/** The error's name and message, and an assertion's diff (which the message leaves out). */
function describe(where: string, error: SerializedError): Failure {
  const name = error.name && !error.message?.startsWith(error.name) ? `${error.name}: ` : "";
  const diff = typeof error.diff === "string" ? `\n${error.diff}` : "";
  return { where, message: `${name}${error.message ?? String(error)}${diff}` };
}
