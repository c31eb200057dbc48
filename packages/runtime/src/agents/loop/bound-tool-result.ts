/**
 * The default cap on one tool result's JSON (`AGENTLLM_MAX_TOOL_RESULT_BYTES`): 64 KiB is about
 * 16k tokens, so even a run that fills all 10 default steps with tool results stays inside the
 * default 200k-token context budget, and a tool card of that size, which clients send back with
 * the history, leaves room for dozens in the 4 MiB request body limit.
 */
export const DEFAULT_MAX_TOOL_RESULT_BYTES = 64 * 1024;

/**
 * The smallest cap a tool may set: room for the truncation note and a useful part of the
 * result. Checked at load (registry) and by the runtime's config.
 */
export const MIN_TOOL_RESULT_BYTES = 1024;

/** The key of the note saying a result was cut; `_truncated` if the result has its own. */
const NOTE_KEYS = ["truncated", "_truncated"] as const;

/** Deeper than this, a value is replaced by a short marker instead of being walked. */
const MAX_DEPTH = 64;

export interface BoundedResult {
  readonly result: Record<string, unknown>;
  /** Bytes of the result's JSON before it was cut; equal to `bytes` when it was not. */
  readonly originalBytes: number;
  /** Bytes of the returned result's JSON (note included): at most the cap. */
  readonly bytes: number;
  readonly truncated: boolean;
}

const byteLength = (text: string): number => Buffer.byteLength(text, "utf8");

/**
 * Fits a tool result (already plain JSON data) into `maxBytes` of JSON, measured as
 * `JSON.stringify(result)` in UTF-8: what the model gets as the function response, what the
 * session stores and what the tool card shows. A result within the cap is returned as is.
 * A larger one is cut, keeping its shape: long strings are shortened, arrays and objects end
 * early with a marker saying how much is left out, very deep values become a marker, and a
 * `truncated` note tells the model what it sees is partial, so it does not take the part for
 * the whole. The work is bounded by the cap, not by the size of the result.
 */
export function boundToolResult(
  result: Record<string, unknown>,
  maxBytes: number,
  json: string = JSON.stringify(result),
): BoundedResult {
  const originalBytes = byteLength(json);
  if (originalBytes <= maxBytes) {
    return { result, originalBytes, bytes: originalBytes, truncated: false };
  }
  const noteKey = NOTE_KEYS.find((key) => !(key in result)) ?? "_truncated_note";
  const note = (bytes: number) =>
    `The tool's result was too large and was cut to fit ${maxBytes} bytes: ${bytes} of ${originalBytes} bytes shown. Strings ending in "…" were shortened and "…" entries stand for left-out items; say so if it matters, or ask for less (a narrower query, fewer items).`;
  const fit = (shrunk: Record<string, unknown>): BoundedResult | undefined => {
    // The note states its own size, so measure until the number it states is the real one.
    let bytes = byteLength(JSON.stringify(withNote(shrunk, noteKey, note(maxBytes))));
    for (let i = 0; i < 3 && bytes <= maxBytes; i++) {
      const final = withNote(shrunk, noteKey, note(bytes));
      const finalBytes = byteLength(JSON.stringify(final));
      if (finalBytes === bytes) return { result: final, originalBytes, bytes, truncated: true };
      bytes = finalBytes;
    }
    return undefined;
  };
  // Containers end early once `budget` bytes are used; strings are cut to `maxChars`, the
  // longest that still fits (binary search), so every long string gets the same share and one
  // huge field does not crowd out the rest. Each pass is O(maxBytes), whatever the result's size.
  let budget = maxBytes - byteLength(JSON.stringify(note(maxBytes)));
  for (let round = 0; round < 20 && budget > 0; round++) {
    let best: BoundedResult | undefined;
    let low = 8;
    let high = maxBytes;
    while (low <= high) {
      const maxChars = Math.floor((low + high) / 2);
      const candidate = fit(shrink(result, { budget, maxChars }) as Record<string, unknown>);
      if (candidate) {
        best = candidate;
        low = maxChars + 1;
      } else {
        high = maxChars - 1;
      }
    }
    if (best) return best;
    budget = Math.floor(budget * 0.8);
  }
  // Only reached for caps below what the note needs (the registry refuses those).
  const fallback = { [noteKey]: `The tool's result (${originalBytes} bytes) was too large.` };
  return {
    result: fallback,
    originalBytes,
    bytes: byteLength(JSON.stringify(fallback)),
    truncated: true,
  };
}

function withNote(
  value: Record<string, unknown>,
  key: string,
  note: string,
): Record<string, unknown> {
  return { [key]: note, ...value };
}

interface ShrinkLimits {
  /** Bytes of JSON after which arrays and objects end early (the note's room excluded). */
  readonly budget: number;
  /** Longest string kept whole, in UTF-16 code units; longer ones are cut there. */
  readonly maxChars: number;
}

interface WalkState {
  readonly limits: ShrinkLimits;
  /** Approximate JSON bytes emitted so far. */
  used: number;
}

function shrink(value: unknown, limits: ShrinkLimits): unknown {
  return walk(value, { limits, used: 0 }, 0);
}

function walk(value: unknown, state: WalkState, depth: number): unknown {
  if (typeof value === "string") return walkString(value, state);
  if (value === null || typeof value !== "object") {
    state.used += byteLength(JSON.stringify(value) ?? "null");
    return value;
  }
  if (depth >= MAX_DEPTH) return marker("… (nested too deep: left out)", state);
  if (Array.isArray(value)) {
    state.used += 2;
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      if (state.used >= state.limits.budget) {
        out.push(marker(`… ${value.length - i} more items left out`, state));
        break;
      }
      out.push(walk(value[i], state, depth + 1));
      state.used += 1;
    }
    return out;
  }
  state.used += 2;
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  for (let i = 0; i < entries.length; i++) {
    const [key, item] = entries[i] as [string, unknown];
    if (state.used >= state.limits.budget) {
      out["…"] = marker(`${entries.length - i} more keys left out`, state);
      break;
    }
    const keyText = key.length > 200 ? `${cut(key, 200)}…` : key;
    state.used += byteLength(JSON.stringify(keyText)) + 2;
    // defineProperty, not assignment: a "__proto__" key from JSON.parse stays plain data.
    Object.defineProperty(out, keyText, {
      value: walk(item, state, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function walkString(text: string, state: WalkState): string {
  const kept = text.length <= state.limits.maxChars ? text : `${cut(text, state.limits.maxChars)}…`;
  state.used += byteLength(JSON.stringify(kept));
  return kept;
}

/** A short note kept whole, even past the budget: the next pass makes room for it. */
function marker(text: string, state: WalkState): string {
  state.used += byteLength(JSON.stringify(text)) + 8;
  return text;
}

/** The first `length` UTF-16 units, never splitting a surrogate pair. */
function cut(text: string, length: number): string {
  if (length <= 0) return "";
  if (text.length <= length) return text;
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}
