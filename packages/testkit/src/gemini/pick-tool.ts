import { identifierWords, stem, wordsOf } from "./conversation.ts";
import type { GeminiFunctionDeclaration } from "./recorded-request.ts";

/** Verbs say how a tool acts, not what it is about, so they do not count as a mention. */
const readVerbs = new Set(["get", "list", "show", "fetch", "find", "read", "search", "check"]);
const writeVerbs = new Set(["set", "update", "save", "store", "remember", "change", "add"]);
const otherVerbs = new Set(["generate", "create", "make", "delete", "remove", "run", "do"]);
const questionStarts = new Set(["what", "which", "who", "how", "tell", "show", "list", "do"]);
const writeHints = new Set(["is", "are", "set", "save", "remember", "change", "update", "now"]);

/** Joining words in tool names ("scheme_for_purpose") say nothing about the topic. */
const joiners = new Set(["for", "the", "and", "with", "from", "into", "of", "to", "by", "as"]);

function isVerb(word: string): boolean {
  return readVerbs.has(word) || writeVerbs.has(word) || otherVerbs.has(word);
}

type Intent = "read" | "write" | undefined;

function intentOf(text: string, words: string[]): Intent {
  if (text.includes("?") || questionStarts.has(words[0] ?? "")) return "read";
  return words.some((w) => writeHints.has(w)) ? "write" : undefined;
}

/**
 * The declared function the user text is about: most topic words of its name mentioned
 * ("palette" → generate_color_palette), ties broken by intent (a question → get_*,
 * "my favorite color is blue" → set_*), then by declaration order. None when no topic
 * word is mentioned.
 */
export function pickTool(
  text: string,
  functions: readonly GeminiFunctionDeclaration[],
): GeminiFunctionDeclaration | undefined {
  const words = wordsOf(text);
  const mentioned = new Set(words.map(stem));
  const intent = intentOf(text, words);
  let best: { fn: GeminiFunctionDeclaration; score: number } | undefined;
  for (const fn of functions) {
    const nameWords = identifierWords(fn.name ?? "");
    const nouns = nameWords.filter((w) => !isVerb(w) && !joiners.has(w) && w.length >= 3);
    // A name that is only a verb ("search") is its own topic.
    const topics = nouns.length > 0 ? nouns : nameWords.filter((w) => w.length >= 3);
    const hits = topics.filter((w) => mentioned.has(stem(w))).length;
    if (hits === 0) continue;
    const verb = nameWords[0] ?? "";
    const fits =
      (intent === "read" && readVerbs.has(verb)) || (intent === "write" && writeVerbs.has(verb));
    const score = hits + (fits ? 0.5 : 0);
    if (best === undefined || score > best.score) best = { fn, score };
  }
  return best?.fn;
}
