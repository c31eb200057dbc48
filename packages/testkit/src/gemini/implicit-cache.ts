import { createHash, type Hash } from "node:crypto";
import type { GeminiRequestBody } from "./recorded-request.ts";
import { countPromptWords } from "./usage.ts";

/**
 * Prompt boundaries remembered, over all keys and models: a bench of a thousand 1000-turn
 * sessions stays well under it, and at about 100 bytes an entry the fake never holds more
 * than some 20 MB for it.
 */
export const MAX_CACHED_BOUNDARIES = 200_000;

/** One place a prompt may be cut: everything before it, hashed, and its tokens. */
interface Boundary {
  readonly hash: string;
  readonly tokens: number;
}

/**
 * The fake's Gemini 2.5 implicit cache: a request's `cachedContentTokenCount` is the part of
 * its prompt (system instruction, then tool declarations, then contents, in that order) that
 * an earlier request with the same key and model already sent byte for byte. The shared part
 * is counted up to the last whole piece (the system instruction, the tools, one content) both
 * had, as the real cache also reuses whole blocks; tokens are the fake's usual word estimate.
 * The real service adds a minimum prefix length and an expiry; the fake has neither.
 */
export class ImplicitCache {
  readonly #boundaries = new Map<string, number>();
  readonly #max: number;

  constructor(options: { readonly maxBoundaries?: number } = {}) {
    this.#max = options.maxBoundaries ?? MAX_CACHED_BOUNDARIES;
  }

  /** The cached tokens of this prompt; remembers its boundaries for the requests after it. */
  use(scope: { readonly apiKey: string; readonly model: string }, body: GeminiRequestBody): number {
    const boundaries = promptBoundaries(scope, body);
    let cached = 0;
    for (let i = boundaries.length - 1; i >= 0; i--) {
      const tokens = this.#boundaries.get((boundaries[i] as Boundary).hash);
      if (tokens !== undefined) {
        cached = tokens;
        break;
      }
    }
    for (const { hash, tokens } of boundaries) {
      // Re-inserted so the Map's order is least recently used first.
      this.#boundaries.delete(hash);
      this.#boundaries.set(hash, tokens);
    }
    for (const oldest of this.#boundaries.keys()) {
      if (this.#boundaries.size <= this.#max) break;
      this.#boundaries.delete(oldest);
    }
    return cached;
  }

  clear(): void {
    this.#boundaries.clear();
  }

  get size(): number {
    return this.#boundaries.size;
  }
}

function promptBoundaries(
  scope: { readonly apiKey: string; readonly model: string },
  body: GeminiRequestBody,
): Boundary[] {
  // The key is hashed with the rest and never kept: one key's cache is not another's.
  const hash: Hash = createHash("sha256").update(`${scope.apiKey}\u0000${scope.model}\u0000`);
  const boundaries: Boundary[] = [];
  let tokens = 0;
  const add = (piece: unknown, words: number) => {
    hash.update(`${JSON.stringify(piece ?? null)}\u0000`);
    tokens += words;
    boundaries.push({ hash: hash.copy().digest("base64"), tokens });
  };
  add(body.systemInstruction, countPromptWords({ systemInstruction: body.systemInstruction }));
  add(body.tools, countPromptWords({ tools: body.tools }));
  for (const content of body.contents ?? [])
    add(content, countPromptWords({ contents: [content] }));
  return boundaries;
}
