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

const CARD =
  /\n?<details\s+type="(?:tool_calls|reasoning|code_interpreter)"[^>]*>[\s\S]*?<\/details>\n?/g;

/** Removes tool cards (and Open WebUI's reasoning blocks) from assistant text. */
export function stripToolCards(text: string): string {
  return text
    .replace(CARD, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function escapeAttribute(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll('"', "&quot;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("'", "&#x27;");
}
