import type { GeminiContent, GeminiRequestBody } from "./recorded-request.ts";

/** Deterministic stand-in for tokens: runs of letters, digits and underscores. */
const word = /[\p{L}\p{N}_]+/gu;

export function countWords(text: string): number {
  return text.match(word)?.length ?? 0;
}

function stringLeaves(value: unknown, into: string[]): string[] {
  if (typeof value === "string") into.push(value);
  else if (Array.isArray(value)) for (const item of value) stringLeaves(item, into);
  else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) stringLeaves(item, into);
  }
  return into;
}

function partsOf(contents: readonly (GeminiContent | undefined)[]): unknown[] {
  return contents.map((content) => content?.parts ?? []);
}

/** Prompt "tokens": words in contents, system instruction and tool declarations. */
export function countPromptWords(body: GeminiRequestBody): number {
  const texts = stringLeaves(
    [partsOf([...(body.contents ?? []), body.systemInstruction]), body.tools ?? []],
    [],
  );
  return texts.reduce((sum, text) => sum + countWords(text), 0);
}

/** Words a response part carries: its text, or a function call's name and arguments. */
export function countPartWords(part: unknown): number {
  return stringLeaves(part, []).reduce((sum, text) => sum + countWords(text), 0);
}

/**
 * The `usageMetadata` object, in the API's field order; zero thoughts and zero cached tokens
 * are left out, as the API does.
 */
export interface UsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  /** Part of `promptTokenCount` served from the implicit cache (implicit-cache.ts). */
  cachedContentTokenCount?: number;
  promptTokensDetails: { modality: "TEXT"; tokenCount: number }[];
  cacheTokensDetails?: { modality: "TEXT"; tokenCount: number }[];
  thoughtsTokenCount?: number;
}

export function usageMetadata(
  prompt: number,
  candidates: number,
  thoughts: number,
  cached = 0,
): UsageMetadata {
  const usage: UsageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates + thoughts,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
    ...(cached > 0 ? { cacheTokensDetails: [{ modality: "TEXT", tokenCount: cached }] } : {}),
  };
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
  return usage;
}
