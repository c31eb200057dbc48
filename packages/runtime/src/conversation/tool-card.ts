/**
 * Open WebUI draws `<details type="tool_calls" …>` blocks in assistant content as tool cards,
 * so tool activity shows up in any client that renders it and as plain markup elsewhere.
 * The same markup comes back in the client's history and must be stripped before matching
 * or sending history to the model.
 */
export interface ToolCard {
  readonly callId: string;
  readonly name: string;
  readonly args: unknown;
  readonly result: unknown;
  readonly isError: boolean;
}

const MAX_RESULT_CHARS = 4000;

export function renderToolCard(card: ToolCard): string {
  let result = JSON.stringify(card.result ?? null);
  if (result.length > MAX_RESULT_CHARS) result = `${result.slice(0, MAX_RESULT_CHARS)}…`;
  const attrs = [
    `type="tool_calls"`,
    `done="true"`,
    `id="${escapeAttribute(card.callId)}"`,
    `name="${escapeAttribute(card.name)}"`,
    `arguments="${escapeAttribute(JSON.stringify(card.args ?? {}))}"`,
    `result="${escapeAttribute(result)}"`,
    `files=""`,
    `embeds=""`,
    ...(card.isError ? [`error="true"`] : []),
  ];
  return `\n<details ${attrs.join(" ")}>\n<summary>Tool Executed</summary>\n</details>\n`;
}

const OPENING = /<details\s+type="(?:tool_calls|reasoning|code_interpreter)"/y;
const CLOSING = "</details>";

/**
 * Removes tool cards (and Open WebUI's reasoning blocks) from assistant text: each
 * `\n?<details type="tool_calls|reasoning|code_interpreter" …>…</details>\n?` becomes one
 * newline. A scan rather than one regex: the client controls this text, and a regex with a lazy
 * body backtracks quadratically over thousands of unclosed openings (seconds per request).
 */
export function stripToolCards(text: string): string {
  let kept = "";
  let copied = 0;
  let from = 0;
  for (;;) {
    const start = text.indexOf("<details", from);
    if (start === -1) break;
    OPENING.lastIndex = start;
    if (!OPENING.test(text)) {
      from = start + 1;
      continue;
    }
    // No `>` or no closing tag after this opening means none after a later one either.
    const tagEnd = text.indexOf(">", OPENING.lastIndex);
    if (tagEnd === -1) break;
    const close = text.indexOf(CLOSING, tagEnd + 1);
    if (close === -1) break;
    const cutStart = start > copied && text[start - 1] === "\n" ? start - 1 : start;
    let cutEnd = close + CLOSING.length;
    if (text[cutEnd] === "\n") cutEnd++;
    kept += `${text.slice(copied, cutStart)}\n`;
    copied = cutEnd;
    from = cutEnd;
  }
  return `${kept}${text.slice(copied)}`.replace(/\n{3,}/g, "\n\n").trim();
}

function escapeAttribute(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll('"', "&quot;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("'", "&#x27;");
}
