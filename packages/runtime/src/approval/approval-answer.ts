/** One call as the user is shown it. */
export interface DescribedCall {
  /** The tool's own line (`sideEffect.describe`), or a generic one. */
  readonly description: string;
  readonly tool: string;
  /** The validated arguments: exactly the values that will be used. */
  readonly args: Readonly<Record<string, unknown>>;
}

/** A string shorter than this, on one line and without backticks, is shown inline. */
const INLINE_CHARS = 120;

/**
 * The runtime's own answer when the model asks for side effects: each action with every
 * argument in full (a comment's whole text, never a summary the model wrote), and how to answer.
 * Values are shown as code so their Markdown cannot hide or fake anything (a comment that
 * contains "Reply approve" is still shown as the comment's text).
 */
export function approvalAnswer(calls: readonly DescribedCall[], ttlSeconds: number): string {
  const one = calls.length === 1;
  const lines = [
    one
      ? "**Approval needed.** I would like to make this change; nothing has been done yet:"
      : `**Approval needed.** I would like to make these ${calls.length} changes; nothing has been done yet:`,
    "",
  ];
  calls.forEach((call, i) => {
    lines.push(
      `${one ? "" : `${i + 1}. `}**${escapeMarkdown(call.description)}** (tool \`${call.tool}\`)`,
    );
    for (const [name, value] of Object.entries(call.args)) {
      if (value === undefined) continue;
      lines.push(...field(name, value, one ? "" : "   "));
    }
    lines.push("");
  });
  lines.push(
    `Reply **approve** to ${one ? "do this" : "do all of them"}, or **decline** to cancel. Any other reply cancels ${one ? "it" : "them"}. This request expires in ${duration(ttlSeconds)}.`,
  );
  return lines.join("\n");
}

function field(name: string, value: unknown, indent: string): string[] {
  const label = `${indent}- ${name}:`;
  if (typeof value === "string" && isInline(value)) return [`${label} \`${value}\``];
  if (typeof value === "number" || typeof value === "boolean") return [`${label} \`${value}\``];
  if (Array.isArray(value) && value.every((item) => typeof item === "string" && isInline(item))) {
    return [
      `${label} ${value.length === 0 ? "(none)" : value.map((item) => `\`${item}\``).join(", ")}`,
    ];
  }
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  const fence = "`".repeat(Math.max(3, longestRun(text, "`") + 1));
  const inner = `${indent}  `;
  return [
    label,
    `${inner}${fence}text`,
    ...text.split("\n").map((line) => `${inner}${line}`),
    `${inner}${fence}`,
  ];
}

function isInline(text: string): boolean {
  return (
    text.length > 0 && text.length <= INLINE_CHARS && !/[`\n\r]/.test(text) && text.trim() === text
  );
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`).replace(/\s+/g, " ");
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}
