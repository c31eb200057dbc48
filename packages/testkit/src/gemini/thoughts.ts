import type { GeminiRequestBody } from "./recorded-request.ts";
import { type FakePart, type FakeTurn, isHang, isHttpError } from "./script.ts";
import { countPartWords } from "./usage.ts";

/**
 * Real Gemini 2.5 sends thought summaries (`{text, thought: true}` parts) only when the request's
 * `generationConfig.thinkingConfig.includeThoughts` is true; otherwise it still thinks and bills
 * `thoughtsTokenCount` but shows nothing, and with `thinkingBudget: 0` it does not think at all.
 */
function thinkingConfig(body: GeminiRequestBody): Record<string, unknown> {
  const config = body.generationConfig?.thinkingConfig;
  return typeof config === "object" && config !== null ? (config as Record<string, unknown>) : {};
}

/** Whether the request asks for thought summaries. */
export function wantsThoughts(body: GeminiRequestBody): boolean {
  return thinkingConfig(body).includeThoughts === true;
}

function thinkingOff(body: GeminiRequestBody): boolean {
  return thinkingConfig(body).thinkingBudget === 0;
}

function isThoughtPart(part: FakePart): boolean {
  return typeof part === "object" && "text" in part && part.thought === true;
}

/** The turn as the request gets it: thought parts only when asked for, as the real API does. */
export function thoughtsAsRequested(turn: FakeTurn, body: GeminiRequestBody): FakeTurn {
  if (isHttpError(turn) || isHang(turn) || wantsThoughts(body)) return turn;
  const thoughts = turn.parts.filter(isThoughtPart);
  if (thoughts.length === 0) return turn;
  const hidden = thinkingOff(body) ? 0 : thoughts.reduce((n, p) => n + countPartWords(p), 0);
  return {
    ...turn,
    parts: turn.parts.filter((part) => !isThoughtPart(part)),
    usage: { thoughtsTokenCount: hidden, ...turn.usage },
  };
}
