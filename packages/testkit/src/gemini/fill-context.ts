/** The schema walking and word matching the argument fillers share. */

import { identifierWords, stem } from "./conversation.ts";

const stopwords = new Set(
  (
    "a an the my your our their me you i we it is are was be to of for in on at by with from " +
    "and or but please can could would will should do does did what which who how that this " +
    "these those some any one make give show tell set get use call now just about like want"
  ).split(" "),
);
/** A word after one of these is usually the value: "color is blue", "palette from teal". */
const valueMarkers = new Set([
  "is",
  "to",
  "from",
  "called",
  "named",
  "for",
  "about",
  "of",
  "as",
  "in",
  "at",
]);
export const yes = new Set(["yes", "true", "on", "enable", "enabled", "with", "include"]);
export const no = new Set([
  "no",
  "false",
  "off",
  "disable",
  "disabled",
  "without",
  "exclude",
  "not",
]);

/** How deep `$ref`s and nesting are followed; past it a value is left out (or minimal). */
export const MAX_DEPTH = 8;

export type Schema = Record<string, unknown>;

export interface Filled {
  value: unknown;
  /** Whether the value came from the user's words (optional fields are filled only then). */
  fromText: boolean;
}

export interface FillContext {
  text: string;
  /** Lower-case words of the text, for matching. */
  words: string[];
  /** The same words as written, for values ("Ada" stays "Ada"). */
  written: string[];
  /** Whitespace-separated tokens as written, for values with punctuation (emails, URLs). */
  tokens: string[];
  /**
   * Words that are not a string's value: the tool's name (the topic), parameter names (keys,
   * "city Berlin") and enum values the user said (they belong to their enum).
   */
  exclude: Set<string>;
  /** Whether the schema has only one string parameter, which then takes the subject. */
  single: boolean;
  /** Words of the tool's name alone. */
  topic: Set<string>;
  /** The whole schema, for `$ref`s into it. */
  root: Schema;
}

export function asSchema(value: unknown): Schema {
  return value !== null && typeof value === "object" ? (value as Schema) : {};
}

/** Accepts JSON Schema (`"string"`, `["string","null"]`) and Gemini's (`"STRING"`). */
export function typeOf(schema: Schema): string | undefined {
  const raw = Array.isArray(schema.type)
    ? schema.type.find((t) => String(t).toLowerCase() !== "null")
    : schema.type;
  if (typeof raw === "string") return raw.toLowerCase();
  if (schema.properties) return "object";
  if (schema.items || schema.prefixItems) return "array";
  if (Array.isArray(schema.enum)) return typeof schema.enum[0];
  return undefined;
}

/** `#`, `#/$defs/x` or `#/definitions/x` within the root schema. */
export function resolveRef(ref: string, root: Schema): Schema {
  if (ref === "#") return root;
  const steps = ref.replace(/^#\//, "").split("/");
  let at: unknown = root;
  for (const step of steps) at = asSchema(at)[step.replaceAll("~1", "/").replaceAll("~0", "~")];
  return asSchema(at);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The index of the word the value most likely is: after a marker, else the last content word. */
export function subjectIndex(ctx: FillContext, after?: number): number | undefined {
  const usable = (i: number) => {
    const word = ctx.words[i] ?? "";
    return !stopwords.has(word) && !ctx.exclude.has(stem(word)) && !/^\d+$/.test(word);
  };
  if (after !== undefined) {
    for (let i = after + 1; i < ctx.words.length; i++) if (usable(i)) return i;
  }
  for (let i = ctx.words.length - 2; i >= 0; i--) {
    if (valueMarkers.has(ctx.words[i] ?? "") && usable(i + 1)) return i + 1;
  }
  for (let i = ctx.words.length - 1; i >= 0; i--) if (usable(i)) return i;
  return undefined;
}

/** Where the text names a parameter ("city Oslo", "3 days"): the index of that word. */
export function mentionOf(name: string, ctx: FillContext): number | undefined {
  const nameWords = identifierWords(name).filter((w) => w.length >= 3 && !stopwords.has(w));
  const wanted = new Set(nameWords.map(stem));
  if (wanted.size === 0) return undefined;
  const index = ctx.words.findIndex((w) => wanted.has(stem(w)) && !ctx.topic.has(stem(w)));
  return index === -1 ? undefined : index;
}

/** Every schema nested in `schema` (properties, items, options), to a bounded depth. */
function* subschemas(schema: Schema, depth = 0): Generator<[key: string | undefined, Schema]> {
  if (depth > MAX_DEPTH) return;
  for (const [key, value] of Object.entries(asSchema(schema.properties))) {
    yield [key, asSchema(value)];
    yield* subschemas(asSchema(value), depth + 1);
  }
  const nested = [
    schema.items,
    ...(Array.isArray(schema.prefixItems) ? schema.prefixItems : []),
    ...[schema.anyOf, schema.oneOf, schema.allOf].flatMap((list) =>
      Array.isArray(list) ? list : [],
    ),
  ];
  for (const value of nested) {
    if (value === undefined) continue;
    yield [undefined, asSchema(value)];
    yield* subschemas(asSchema(value), depth + 1);
  }
}

export function keyWords(schema: Schema): string[] {
  return [...subschemas(schema)].flatMap(([key]) =>
    key === undefined
      ? []
      : identifierWords(key)
          .filter((w) => w.length >= 3)
          .map(stem),
  );
}

export function saidEnumValues(schema: Schema, words: readonly string[]): string[] {
  return [...subschemas(schema)].flatMap(([, sub]) =>
    (Array.isArray(sub.enum) ? sub.enum : [])
      .map((value) => String(value).toLowerCase())
      .filter((value) => words.includes(value))
      .map(stem),
  );
}

export function countStrings(schema: Schema): number {
  return [...subschemas(schema)].filter(
    ([key, sub]) => key !== undefined && typeOf(sub) === "string" && !Array.isArray(sub.enum),
  ).length;
}
