import { identifierWords, stem, wordsOf } from "./conversation.ts";
import type { GeminiFunctionDeclaration } from "./recorded-request.ts";

/** Names the demo may use for colors, with hex values for `pattern: ^#...` parameters. */
const colors: Readonly<Record<string, string>> = {
  red: "#ff0000",
  orange: "#ffa500",
  yellow: "#ffff00",
  green: "#008000",
  teal: "#008080",
  cyan: "#00ffff",
  blue: "#0000ff",
  navy: "#000080",
  purple: "#800080",
  violet: "#ee82ee",
  pink: "#ffc0cb",
  magenta: "#ff00ff",
  brown: "#a52a2a",
  black: "#000000",
  white: "#ffffff",
  gray: "#808080",
  grey: "#808080",
};

const stopwords = new Set(
  (
    "a an the my your our their me you i we it is are was be to of for in on at by with from " +
    "and or but please can could would will should do does did what which who how that this " +
    "these those some any one make give show tell set get use call now just about like want"
  ).split(" "),
);
/** A word after one of these is usually the value: "color is blue", "palette from teal". */
const valueMarkers = new Set(["is", "to", "from", "called", "named", "for", "about", "of", "as"]);

type Schema = Record<string, unknown>;

interface Filled {
  value: unknown;
  /** Whether the value came from the user's words (optional fields are filled only then). */
  fromText: boolean;
}

interface FillContext {
  text: string;
  words: string[];
  /** Words of the tool's name, which are the topic and not a value. */
  exclude: Set<string>;
}

function asSchema(value: unknown): Schema {
  return value !== null && typeof value === "object" ? (value as Schema) : {};
}

/** Accepts JSON Schema (`"string"`, `["string","null"]`) and Gemini's (`"STRING"`). */
function typeOf(schema: Schema): string | undefined {
  const raw = Array.isArray(schema.type)
    ? schema.type.find((t) => String(t).toLowerCase() !== "null")
    : schema.type;
  if (typeof raw === "string") return raw.toLowerCase();
  if (schema.properties) return "object";
  if (schema.items) return "array";
  if (Array.isArray(schema.enum)) return typeof schema.enum[0];
  return undefined;
}

function subjectWord(ctx: FillContext): string | undefined {
  const candidates = ctx.words.filter((w) => !stopwords.has(w) && !ctx.exclude.has(stem(w)));
  for (let i = ctx.words.length - 2; i >= 0; i--) {
    const next = ctx.words[i + 1] ?? "";
    if (valueMarkers.has(ctx.words[i] ?? "") && candidates.includes(next)) return next;
  }
  return candidates.at(-1);
}

function fillString(schema: Schema, name: string, ctx: FillContext): Filled {
  const pattern = typeof schema.pattern === "string" ? new RegExp(schema.pattern, "u") : undefined;
  const fits = (value: string) => pattern === undefined || pattern.test(value);
  const colorish = /colou?r|hex|shade/i.test(name);
  const fallback = () => {
    if (typeof schema.default === "string") return schema.default;
    if (colorish || pattern) return fits("blue") ? "blue" : "#0000ff";
    return name || "value";
  };
  const byPattern = pattern ? ctx.words.find((w) => pattern.test(w)) : undefined;
  if (byPattern !== undefined) return { value: byPattern, fromText: true };
  if (colorish) {
    const color = ctx.words.find((w) => colors[w] !== undefined || /^#[0-9a-f]{3,8}$/.test(w));
    if (color !== undefined) {
      const value = fits(color) ? color : (colors[color] ?? color);
      return { value, fromText: true };
    }
    // A color field takes only a color: "hello" is no value for it, so an optional one stays out.
    return { value: fallback(), fromText: false };
  }
  const subject = subjectWord(ctx);
  if (subject !== undefined && fits(subject)) return { value: subject, fromText: true };
  return { value: fallback(), fromText: false };
}

function fillValue(schemaLike: unknown, name: string, ctx: FillContext): Filled {
  const schema = asSchema(schemaLike);
  const option = [schema.anyOf, schema.oneOf, schema.allOf]
    .flatMap((list) => (Array.isArray(list) ? list : []))
    .find((s) => typeOf(asSchema(s)) !== "null");
  if (option !== undefined && schema.type === undefined) return fillValue(option, name, ctx);
  if ("const" in schema) return { value: schema.const, fromText: false };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const said = schema.enum.find((v) => ctx.words.includes(String(v).toLowerCase()));
    if (said !== undefined) return { value: said, fromText: true };
    return { value: schema.default ?? schema.enum[0], fromText: false };
  }
  switch (typeOf(schema)) {
    case "object":
      return fillObject(schema, ctx);
    case "array": {
      const item = fillValue(schema.items, name, ctx);
      const count = Math.max(1, typeof schema.minItems === "number" ? schema.minItems : 1);
      return { value: Array.from({ length: count }, () => item.value), fromText: item.fromText };
    }
    case "integer":
    case "number":
      return fillNumeric(schema, typeOf(schema) === "integer", ctx);
    case "boolean":
      return {
        value: typeof schema.default === "boolean" ? schema.default : false,
        fromText: false,
      };
    default:
      return fillString(schema, name, ctx);
  }
}

function fillNumeric(schema: Schema, integer: boolean, ctx: FillContext): Filled {
  const min = typeof schema.minimum === "number" ? schema.minimum : -Infinity;
  const max = typeof schema.maximum === "number" ? schema.maximum : Infinity;
  const said = ctx.text
    .match(/-?\d+(\.\d+)?/g)
    ?.map(Number)
    .find((n) => n >= min && n <= max && (!integer || Number.isInteger(n)));
  if (said !== undefined) return { value: said, fromText: true };
  if (typeof schema.default === "number") return { value: schema.default, fromText: false };
  return { value: Math.min(Math.max(3, min), max), fromText: false };
}

function fillObject(schema: Schema, ctx: FillContext): Filled {
  const properties = asSchema(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const value: Record<string, unknown> = {};
  let fromText = false;
  for (const [key, propSchema] of Object.entries(properties)) {
    const filled = fillValue(propSchema, key, ctx);
    if (required.has(key) || filled.fromText) value[key] = filled.value;
    fromText ||= filled.fromText;
  }
  return { value, fromText };
}

/**
 * Arguments for a function call, from its declared schema and the user's words: an enum
 * takes a value the user said (else the first), a string a fitting word, a number one the
 * user said (else the default, else 3 within bounds). Optional fields only when said.
 */
export function fillArgs(fn: GeminiFunctionDeclaration, userText: string): Record<string, unknown> {
  const schema = fn.parametersJsonSchema ?? fn.parameters;
  if (schema === undefined) return {};
  const ctx: FillContext = {
    text: userText,
    words: wordsOf(userText),
    exclude: new Set(identifierWords(fn.name ?? "").map(stem)),
  };
  const filled = fillValue(schema, "", ctx).value;
  return filled !== null && typeof filled === "object" && !Array.isArray(filled)
    ? (filled as Record<string, unknown>)
    : {};
}
