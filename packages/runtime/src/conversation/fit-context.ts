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

export function estimateTokens(content: Content): number {
  return Math.ceil(JSON.stringify(content).length / 4);
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
