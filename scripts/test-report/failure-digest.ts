/**
 * A short account of what failed and why, printed above `just test`'s closing total, so the
 * tail of a CI log (often all a reader gets) names the cause and not only the count.
 */

/** One failure: where it happened and the first lines of its error. */
export interface Failure {
  readonly where: string;
  readonly message: string;
}

/** What the digest reporter writes: the failures, and what a test had to try twice. */
export interface Digest {
  readonly failures: readonly Failure[];
  readonly retried: readonly Failure[];
}

/**
 * A test's console line that starts with this is kept in the digest and printed above the total:
 * a set-up that failed once and then worked passes, but its first error should not go unseen.
 */
export const RETRIED_MARKER = "[retried]";

/** Where the digest of a vitest JSON report is: `vitest.json` → `vitest.failures.json`. */
export function failuresFileFor(jsonReport: string): string {
  return jsonReport.replace(/(\.json)?$/, ".failures.json");
}

/** At most this many failures are printed; the rest are counted. */
export const MAX_FAILURES = 20;
/** At most this many lines of each error: enough for a message and a start-up log's last lines. */
export const MAX_LINES = 25;
/** Longer lines are cut: a serialised request or a minified stack can fill a screen. */
export const MAX_LINE_CHARS = 300;

/**
 * The block printed above the total, one entry per failure (`FAILED`, or `RETRIED` for what
 * worked only the second time); empty when there are none.
 */
export function formatFailures(failures: readonly Failure[], label = "FAILED"): string {
  if (failures.length === 0) return "";
  const shown = failures.slice(0, MAX_FAILURES).map((failure) => {
    const lines = stripAnsi(failure.message).trimEnd().split("\n");
    const kept = lines.slice(0, MAX_LINES).map((line) => `    ${cut(line)}`);
    if (lines.length > MAX_LINES) kept.push(`    … ${lines.length - MAX_LINES} more lines`);
    return [`${label} ${failure.where}`, ...kept].join("\n");
  });
  const rest = failures.length - shown.length;
  if (rest > 0) shown.push(`… and ${rest} more`);
  return `${shown.join("\n")}\n`;
}

/** The failed tests of a pytest JUnit XML report, with their failure or error message. */
export function pytestFailures(xml: string): Failure[] {
  const failures: Failure[] = [];
  for (const testcase of xml.matchAll(/<testcase\b([^>]*?)(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = testcase[2] ?? "";
    const problem = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    if (!problem) continue;
    const attrs = testcase[1] ?? "";
    const where = `${attr(attrs, "classname")}::${attr(attrs, "name")}`;
    const message = attr(problem[2] ?? "", "message") || unescapeXml(problem[3] ?? "");
    failures.push({ where, message });
  }
  return failures;
}

function attr(attrs: string, name: string): string {
  return unescapeXml(new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1] ?? "");
}

function unescapeXml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) =>
      String.fromCodePoint(Number.parseInt(code, 16)),
    )
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape is what is removed
  return text.replace(/\u001b\[[0-9;]*m/g, "");
}

function cut(line: string): string {
  return line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
}
