import type { Content } from "@google/genai";

export interface FittedContents {
  readonly contents: Content[];
  /** How many of the oldest exchanges were left out. */
  readonly omittedExchanges: number;
}

/**
 * Of the budget, the share dropped at once when a conversation outgrows it: a quarter.
 *
 * Gemini caches a repeated prompt prefix, and dropping the oldest exchange changes the prefix
 * from the first content on. Cutting just enough on every turn would void the cache on every
 * turn of a long conversation; cutting in steps of a quarter of the budget changes the prefix
 * once per quarter budget of growth, and still keeps at least three quarters of it.
 */
export const TRIM_STEP_DIVISOR = 4;

/**
 * Keeps the newest exchanges that fit in `budgetTokens`, dropping whole exchanges from the
 * front: an exchange starts at a user message (not a function result), so a function call is
 * never separated from its result. The newest exchange (the user's new message) always stays;
 * the system instruction is not part of `contents` and is never trimmed.
 *
 * What is dropped is the excess over the budget rounded up to a whole trim step (see
 * `TRIM_STEP_DIVISOR`), so the first exchange kept stays the same while a conversation grows
 * by less than a step: the next request's prompt still starts like this one's.
 *
 * Tokens are estimated from the JSON size (about four characters a token): close enough to keep
 * a long session under the model's limit without a tokenizer round trip per request.
 */
export function fitToContext(contents: readonly Content[], budgetTokens: number): FittedContents {
  const exchanges = splitExchanges(contents);
  const sizes = exchanges.map((exchange) =>
    exchange.reduce((sum, c) => sum + estimateTokens(c), 0),
  );
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= budgetTokens) return { contents: [...contents], omittedExchanges: 0 };
  const step = Math.max(1, Math.ceil(budgetTokens / TRIM_STEP_DIVISOR));
  const toDrop = Math.ceil((total - budgetTokens) / step) * step;
  let dropped = 0;
  let first = 0;
  while (dropped < toDrop && first < exchanges.length - 1) {
    dropped += sizes[first] ?? 0;
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
