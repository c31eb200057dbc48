/** A tool call as the runtime reported it in its Open WebUI tool card. */
export interface ObservedToolCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly isError: boolean;
}

/**
 * An answer from `agno/*` split into its tool calls and its text. The runtime writes each call
 * as `<details type="tool_calls" name=… arguments=…>` (runtime/src/conversation/tool-card.ts)
 * into the content, which is the one place a client through LiteLLM sees which tools ran.
 * Facts are matched against the text alone: a tool result in a card is not the answer, nor is
 * a `<details type="reasoning">` block, should thought summaries reach the content that way.
 */
export function splitAnswer(content: string): { text: string; toolCalls: ObservedToolCall[] } {
  const toolCalls: ObservedToolCall[] = [];
  let text = "";
  let from = 0;
  for (;;) {
    const start = nextCard(content, from);
    if (start === -1) break;
    const tagEnd = content.indexOf(">", start);
    const close = tagEnd === -1 ? -1 : content.indexOf("</details>", tagEnd);
    if (close === -1) break;
    const tag = content.slice(start, tagEnd);
    text += content.slice(from, start);
    from = close + "</details>".length;
    // A thought summary is not the answer either: a fact only in it was not told the user.
    if (!tag.startsWith('<details type="tool_calls"')) continue;
    const name = unescapeAttribute(attribute(tag, "name") ?? "");
    let args: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(unescapeAttribute(attribute(tag, "arguments") ?? "{}"));
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        args = parsed as Record<string, unknown>;
      }
    } catch {
      // A card whose arguments do not parse still names the tool; its args match nothing.
    }
    toolCalls.push({ name, args, isError: attribute(tag, "error") === "true" });
  }
  text += content.slice(from);
  return { text: text.replace(/\n{3,}/g, "\n\n").trim(), toolCalls };
}

/** Where the next tool card or reasoning block (Open WebUI's thinking markup) starts, or -1. */
function nextCard(content: string, from: number): number {
  const starts = ['<details type="tool_calls"', '<details type="reasoning"']
    .map((opening) => content.indexOf(opening, from))
    .filter((index) => index !== -1);
  return starts.length === 0 ? -1 : Math.min(...starts);
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(` ${name}="([^"]*)"`).exec(tag)?.[1];
}

function unescapeAttribute(value: string): string {
  return value
    .replaceAll("&quot;", '"')
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&#x27;", "'")
    .replaceAll("&amp;", "&");
}
