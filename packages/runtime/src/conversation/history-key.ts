import { createHash, type Hash } from "node:crypto";
import type { Content } from "@google/genai";
import { stripToolCards } from "./tool-card.ts";

/**
 * Keys that identify a conversation as its user sees it, so stored turns are found by content
 * instead of by walking the session's turn tree.
 *
 * A turn's *prefix key* hashes everything the client shows up to and including that turn's
 * answer: every earlier message and answer, the turn's input, its answer. The client sends the
 * whole visible conversation with each request, so hashing the request's history gives, at each
 * answer in it, the key of the stored turn that produced that answer (if any). Regenerated and
 * edited branches have other prefixes and are never read.
 *
 * The keys are stored (`session_turns.prefix_key`): changing how they are computed needs a
 * migration that recomputes them (see `0003-index-turns-by-prefix-key.ts`).
 */

// Open WebUI renders these in an answer as a thinking block and may send them back changed or
// not at all; the model can also write them itself. Either way they are not what is compared.
const THINKING_TAGS = ["think", "thinking", "reason", "reasoning", "thought"];

/**
 * The text of a message as compared: our tool cards and Open WebUI's reasoning and
 * code-interpreter blocks removed (the client sends them back, the model may quote them),
 * thinking tags removed, and all whitespace dropped (streamed and re-sent text differ in it).
 */
export function comparableText(role: string, text: string): string {
  const plain = role === "model" ? stripThinking(stripToolCards(text)) : text;
  return plain.replace(/\s+/g, "");
}

/** The text a content shows the user; inline data is named by type, size and start. */
export function visibleText(content: Content): string {
  return (content.parts ?? [])
    .map((part) => {
      if (part.text !== undefined && !part.thought) return part.text;
      if (part.inlineData) {
        const data = part.inlineData.data ?? "";
        return `[${part.inlineData.mimeType}:${data.length}:${data.slice(0, 64)}]`;
      }
      return "";
    })
    .join("");
}

/**
 * A running hash over a conversation's visible messages. `answerKey()` after adding the
 * messages before an answer and the answer itself is that turn's prefix key.
 */
export class PrefixHasher {
  readonly #hash: Hash;

  constructor(hash: Hash = createHash("sha256")) {
    this.#hash = hash;
  }

  /** Adds one message, as the client shows it. */
  add(role: string, text: string): this {
    const comparable = comparableText(role, text);
    // Length-prefixed, so no two different message lists feed the hash the same bytes.
    this.#hash.update(`${role}:${comparable.length}:${comparable}\n`);
    return this;
  }

  addContent(content: Content): this {
    return this.add(content.role ?? "", visibleText(content));
  }

  /** The key of everything added so far. */
  key(): string {
    return this.#hash.copy().digest("base64url");
  }

  copy(): PrefixHasher {
    return new PrefixHasher(this.#hash.copy());
  }
}

function stripThinking(text: string): string {
  let result = text;
  for (const tag of THINKING_TAGS) {
    const open = `<${tag}>`;
    const close = `</${tag}>`;
    if (!result.includes(open)) continue;
    // One pass that copies the kept pieces (linear); never a backtracking regex over text that
    // comes from the model or the client.
    const kept: string[] = [];
    let copied = 0;
    for (;;) {
      const start = result.indexOf(open, copied);
      if (start === -1) break;
      const end = result.indexOf(close, start + open.length);
      if (end === -1) break;
      kept.push(result.slice(copied, start));
      copied = end + close.length;
    }
    kept.push(result.slice(copied));
    result = kept.join("");
  }
  return result;
}
