import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Digest,
  type Failure,
  failuresFileFor,
  formatFailures,
  MAX_FAILURES,
  MAX_LINE_CHARS,
  MAX_LINES,
  pytestFailures,
  RETRIED_MARKER,
} from "./failure-digest.ts";

describe("formatFailures", () => {
  it("prints nothing when nothing failed", () => {
    expect(formatFailures([])).toBe("");
  });

  it("labels what worked the second time as retried", () => {
    expect(formatFailures([{ where: "e2e > mode jwt", message: "boom" }], "RETRIED")).toBe(
      "RETRIED e2e > mode jwt\n    boom\n",
    );
  });

  it("names each failure and indents its message, without colour codes", () => {
    const text = formatFailures([
      { where: "a.test.ts > step 1", message: "\u001b[31mboom\u001b[39m\nline 2" },
    ]);
    expect(text).toBe("FAILED a.test.ts > step 1\n    boom\n    line 2\n");
  });

  it(`cuts a line past ${MAX_LINE_CHARS} characters, and keeps one at the limit whole`, () => {
    const atLimit = "a".repeat(MAX_LINE_CHARS);
    const text = formatFailures([{ where: "t", message: `${atLimit}\n${atLimit}b` }]);
    expect(text).toBe(`FAILED t\n    ${atLimit}\n    ${atLimit}…\n`);
  });

  it("keeps the first lines of a long message and the first failures of many", () => {
    const long = Array.from({ length: MAX_LINES + 5 }, (_, i) => `line ${i}`).join("\n");
    const many: Failure[] = Array.from({ length: MAX_FAILURES + 3 }, (_, i) => ({
      where: `t${i}`,
      message: i === 0 ? long : "x",
    }));
    const text = formatFailures(many);
    expect(text).toContain(`line ${MAX_LINES - 1}\n    … 5 more lines`);
    expect(text).not.toContain(`line ${MAX_LINES}\n`);
    expect(text).toContain(`FAILED t${MAX_FAILURES - 1}`);
    expect(text).not.toContain(`FAILED t${MAX_FAILURES}\n`);
    expect(text.trimEnd().split("\n").at(-1)).toBe("… and 3 more");
  });
});

describe("pytestFailures", () => {
  it("reads failures and errors with their messages, and skips passing tests", () => {
    const xml = `<testsuites><testsuite tests="3" failures="1" errors="1">
      <testcase classname="tests.test_a" name="test_ok" time="0.1" />
      <testcase classname="tests.test_a" name="test_bad"><failure message="assert 1 == 2&#10;where x = &quot;y&quot;">long trace</failure></testcase>
      <testcase classname="tests.test_b" name="test_setup"><error>fixture &lt;db&gt; failed</error></testcase>
    </testsuite></testsuites>`;
    expect(pytestFailures(xml)).toEqual([
      { where: "tests.test_a::test_bad", message: 'assert 1 == 2\nwhere x = "y"' },
      { where: "tests.test_b::test_setup", message: "fixture <db> failed" },
    ]);
  });
});

describe("the failure digest reporter", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-digest-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("records a failing beforeAll with its error, which vitest's JSON report leaves out", async () => {
    writeFileSync(
      path.join(dir, "setup.test.ts"),
      `import { beforeAll, describe, expect, it } from "vitest";
describe("mode a", () => {
  beforeAll(() => { console.warn("${RETRIED_MARKER} mode a: the stack\\nproxy exited with code 1 before it was ready"); });
  it("step 1", () => {});
});
describe("mode b", () => {
  beforeAll(() => { throw new Error("Open WebUI was not ready after 180000 ms"); });
  it("step 1", () => {});
});
describe("plain", () => {
  it("compares", () => { expect({ a: 1 }).toEqual({ a: 2 }); });
  it("passes", () => {});
});
`,
    );
    const report = path.join(dir, "out/run.json");
    const reporter = path.join(import.meta.dirname, "failure-digest-reporter.ts");
    await promisify(execFile)(
      "npx",
      [
        "vitest",
        "run",
        "--root",
        dir,
        "--reporter=json",
        `--reporter=${reporter}`,
        `--outputFile.json=${report}`,
      ],
      { cwd: path.join(import.meta.dirname, "../..") },
    ).catch((error: { code?: number }) => expect(error.code, String(error)).toBe(1));
    const digest = JSON.parse(readFileSync(failuresFileFor(report), "utf8")) as Digest;
    expect(digest.retried).toEqual([
      { where: "mode a: the stack", message: "proxy exited with code 1 before it was ready" },
    ]);
    expect(digest.failures).toEqual([
      {
        where: "setup.test.ts > mode b",
        message: "Error: Open WebUI was not ready after 180000 ms",
      },
      {
        where: "setup.test.ts > plain > compares",
        message: expect.stringMatching(
          /^AssertionError: expected \{ a: 1 \} to deeply equal[\s\S]*"a": 2/,
        ),
      },
    ]);
  }, 60_000);
});
