import { createHash } from "node:crypto";
import type { GeminiRequestBody } from "./recorded-request.ts";
import { countPromptWords } from "./usage.ts";

/**
 * Prompt boundaries remembered, over all keys and models, least recently used dropped first:
 * a few hundred long test conversations fit, and at about 100 bytes an entry the fake never
 * holds more than some 20 MB for it.
 */
export const MAX_CACHED_BOUNDARIES = 200_000;

/** One place a prompt may be cut: everything before it, hashed, and its tokens. */
interface Boundary {
  readonly hash: number;
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
  readonly #boundaries = new Map<number, number>();
  readonly #max: number;
  readonly #enabled: boolean;

  constructor(options: { readonly maxBoundaries?: number; readonly enabled?: boolean } = {}) {
    this.#max = options.maxBoundaries ?? MAX_CACHED_BOUNDARIES;
    this.#enabled = options.enabled ?? true;
  }

  /** The cached tokens of this prompt; remembers its boundaries for the requests after it. */
  use(scope: { readonly apiKey: string; readonly model: string }, body: GeminiRequestBody): number {
    // Disabled, nothing is cached, as with a model that has no implicit cache.
    if (!this.#enabled) return 0;
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
    // Guarded: walking a Map that has just had thousands of entries moved is not free.
    if (this.#boundaries.size > this.#max) {
      for (const oldest of this.#boundaries.keys()) {
        if (this.#boundaries.size <= this.#max) break;
        this.#boundaries.delete(oldest);
      }
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
  const digest = new PrefixDigest();
  // Only a hash of the key goes in, and the digest is never reversed: the key is not kept.
  digest.update(
    `${createHash("sha256").update(scope.apiKey).digest("base64")}\u0000${scope.model}\u0000`,
  );
  const boundaries: Boundary[] = [];
  let tokens = 0;
  const add = (piece: unknown, words: number) => {
    digest.update(JSON.stringify(piece ?? null));
    digest.update("\u0000");
    tokens += words;
    boundaries.push({ hash: digest.key(), tokens });
  };
  add(body.systemInstruction, countPromptWords({ systemInstruction: body.systemInstruction }));
  add(body.tools, countPromptWords({ tools: body.tools }));
  for (const content of body.contents ?? [])
    add(content, countPromptWords({ contents: [content] }));
  return boundaries;
}

/**
 * A running digest of the prompt so far (cyrb53: two 32-bit multiplicative hashes, mixed to
 * 53 bits with the length), read at every boundary. A SHA-256 copy per boundary cost the fake
 * 8 ms on a 1000-turn prompt, which a benchmark would count as the model's time; this costs a
 * fraction of that. Not for anything secret.
 */
class PrefixDigest {
  #h1 = 0xdeadbeef;
  #h2 = 0x41c6ce57;
  #length = 0;

  update(text: string): void {
    let h1 = this.#h1;
    let h2 = this.#h2;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ code, 2654435761);
      h2 = Math.imul(h2 ^ code, 1597334677);
    }
    this.#h1 = h1;
    this.#h2 = h2;
    this.#length += text.length;
  }

  /** 53 bits, a safe integer: a number is a cheaper Map key than a string. */
  key(): number {
    let h1 = this.#h1 ^ this.#length;
    let h2 = this.#h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }
}
