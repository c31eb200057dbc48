import type { Content } from "@google/genai";

export interface FittedContents {
  readonly contents: Content[];
  /** How many of the oldest exchanges were left out. */
  readonly omittedExchanges: number;
}

/**
 * Keeps the newest exchanges that fit in `budgetTokens`, dropping whole exchanges from the
 * front: an exchange starts at a user message (not a function result), so a function call is
 * never separated from its result. The newest exchange (the user's new message) always stays;
 * the system instruction is not part of `contents` and is never trimmed.
 *
 * Tokens are estimated from the JSON size (about four characters a token): close enough to keep
 * a long session under the model's limit without a tokenizer round trip per request.
 */
export function fitToContext(contents: readonly Content[], budgetTokens: number): FittedContents {
  const exchanges = splitExchanges(contents);
  const sizes = exchanges.map((exchange) =>
    exchange.reduce((sum, c) => sum + estimateTokens(c), 0),
  );
  let total = sizes.reduce((sum, size) => sum + size, 0);
  let first = 0;
  while (total > budgetTokens && first < exchanges.length - 1) {
    total -= sizes[first] ?? 0;
    first++;
  }
  return { contents: exchanges.slice(first).flat(), omittedExchanges: first };
}

// Stored contents are frozen and shared across requests (the session store's turn cache), so a
// long conversation estimates each of them once, not on every request.
const estimates = new WeakMap<Content, number>();

export function estimateTokens(content: Content): number {
  let tokens = estimates.get(content);
  if (tokens === undefined) {
    tokens = Math.ceil(jsonSize(content) / 4);
    if (Object.isFrozen(content)) estimates.set(content, tokens);
  }
  return tokens;
}

/**
 * `JSON.stringify(content).length`, give or take escapes, without building the string for the
 * common case of text parts: a 1000-turn history is mostly short texts.
 */
function jsonSize(content: Content): number {
  // {"role":"user","parts":[]} plus commas between parts.
  let size = 22 + (content.role?.length ?? 0);
  for (const part of content.parts ?? []) {
    const keys = Object.keys(part);
    size +=
      keys.length === 1 && typeof part.text === "string"
        ? part.text.length + 11 // {"text":""},
        : JSON.stringify(part).length + 1;
  }
  return size;
}

function splitExchanges(contents: readonly Content[]): Content[][] {
  const exchanges: Content[][] = [];
  for (const content of contents) {
    const startsExchange =
      content.role === "user" && (content.parts ?? []).some((part) => !part.functionResponse);
    const current = exchanges.at(-1);
    if (startsExchange || !current) exchanges.push([content]);
    else current.push(content);
  }
  return exchanges;
}
