import type {
  GeminiContent,
  GeminiFunctionDeclaration,
  GeminiRequestBody,
} from "./recorded-request.ts";

/** Reading a request the way the default responder needs: last turn, user text, tools. */

export function lastContent(body: GeminiRequestBody): GeminiContent | undefined {
  return body.contents?.at(-1);
}

export interface FunctionResult {
  name: string;
  response: unknown;
}

export function functionResults(content: GeminiContent | undefined): FunctionResult[] {
  return (content?.parts ?? []).flatMap((part) =>
    part.functionResponse
      ? [{ name: part.functionResponse.name ?? "tool", response: part.functionResponse.response }]
      : [],
  );
}

export function textOf(content: GeminiContent | undefined): string {
  return (content?.parts ?? [])
    .filter((part) => typeof part.text === "string" && part.thought !== true)
    .map((part) => part.text)
    .join("")
    .trim();
}

/** Text of the latest user content that has any. */
export function lastUserText(body: GeminiRequestBody): string {
  const contents = body.contents ?? [];
  for (let i = contents.length - 1; i >= 0; i--) {
    const content = contents[i];
    if (content?.role !== undefined && content.role !== "user") continue;
    const text = textOf(content);
    if (text !== "") return text;
  }
  return "";
}

export function declaredFunctions(body: GeminiRequestBody): GeminiFunctionDeclaration[] {
  return (body.tools ?? []).flatMap((tool) => tool.functionDeclarations ?? []);
}

/** Lower-case words of free text, punctuation dropped. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}#]+/gu) ?? [];
}

/** Words of an identifier: `generate_color_palette`, `setFavoriteColor` → words. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

/** Good enough singular form for matching "colors" to "color". */
export function stem(word: string): string {
  return word.length > 3 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word;
}
