import { identifierWords, stem } from "./conversation.ts";
import { patternExample } from "./pattern-example.ts";
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

/**
 * A valid example for each string `format` z.toJSONSchema emits, each also matching the
 * `pattern` zod puts beside it (a uuid must name a version and variant, a datetime needs `Z`).
 */
const formatExamples: Readonly<Record<string, string>> = {
  email: "someone@example.com",
  uri: "https://example.com/",
  url: "https://example.com/",
  "date-time": "2025-01-15T09:30:00Z",
  date: "2025-01-15",
  time: "09:30:00",
  duration: "P1D",
  uuid: "3f2b8c1e-5d4a-4b6f-9a7e-1c2d3e4f5a6b",
  guid: "3f2b8c1e-5d4a-4b6f-9a7e-1c2d3e4f5a6b",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  cidrv4: "192.0.2.0/24",
  cidrv6: "2001:db8::/32",
  hostname: "example.com",
  base64: "aGVsbG8=",
  base64url: "aGVsbG8",
  e164: "+15555550123",
  emoji: "🙂",
  nanoid: "V1StGXR8_Z5jdHi6B-myT",
  cuid: "cjld2cjxh0000qzrmn831i7rn",
  cuid2: "tz4a98xxat96iws9zmbrgj3a",
  ulid: "01ARZ3NDEKTSV4RRFFQ69G5FAV",
  lowercase: "example",
  uppercase: "EXAMPLE",
};

/** How to recognise a value of a format in the user's text when zod emits no pattern for it. */
const formatShapes: Readonly<Record<string, RegExp>> = {
  uri: /^[a-z][a-z0-9+.-]*:\/\/\S+$/i,
  url: /^[a-z][a-z0-9+.-]*:\/\/\S+$/i,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  hostname: /^(?=.*\.)[a-z0-9-]+(\.[a-z0-9-]+)+$/i,
  "date-time": /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/,
  date: /^\d{4}-\d\d-\d\d$/,
  time: /^\d\d:\d\d(:\d\d(\.\d+)?)?$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  ipv4: /^\d{1,3}(\.\d{1,3}){3}$/,
};

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
const yes = new Set(["yes", "true", "on", "enable", "enabled", "with", "include"]);
const no = new Set(["no", "false", "off", "disable", "disabled", "without", "exclude", "not"]);

/** How deep `$ref`s and nesting are followed; past it a value is left out (or minimal). */
const MAX_DEPTH = 8;

type Schema = Record<string, unknown>;

interface Filled {
  value: unknown;
  /** Whether the value came from the user's words (optional fields are filled only then). */
  fromText: boolean;
}

interface FillContext {
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
  if (schema.items || schema.prefixItems) return "array";
  if (Array.isArray(schema.enum)) return typeof schema.enum[0];
  return undefined;
}

/** `#`, `#/$defs/x` or `#/definitions/x` within the root schema. */
function resolveRef(ref: string, root: Schema): Schema {
  if (ref === "#") return root;
  const steps = ref.replace(/^#\//, "").split("/");
  let at: unknown = root;
  for (const step of steps) at = asSchema(at)[step.replaceAll("~1", "/").replaceAll("~0", "~")];
  return asSchema(at);
}

/** The index of the word the value most likely is: after a marker, else the last content word. */
function subjectIndex(ctx: FillContext, after?: number): number | undefined {
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
function mentionOf(name: string, ctx: FillContext): number | undefined {
  const nameWords = identifierWords(name).filter((w) => w.length >= 3 && !stopwords.has(w));
  const wanted = new Set(nameWords.map(stem));
  if (wanted.size === 0) return undefined;
  const index = ctx.words.findIndex((w) => wanted.has(stem(w)) && !ctx.topic.has(stem(w)));
  return index === -1 ? undefined : index;
}

function stringFits(schema: Schema, value: string): boolean {
  const length = [...value].length;
  if (typeof schema.minLength === "number" && length < schema.minLength) return false;
  if (typeof schema.maxLength === "number" && length > schema.maxLength) return false;
  if (typeof schema.pattern === "string") {
    try {
      if (!new RegExp(schema.pattern, "u").test(value)) return false;
    } catch {
      return true;
    }
  }
  return true;
}

/** Pads or cuts a value to the schema's length bounds. */
function toLength(schema: Schema, value: string): string {
  const chars = [...value];
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const cut = chars.slice(0, max).join("");
  return cut.length >= min ? cut : cut.padEnd(min, "x");
}

function fillString(schema: Schema, name: string, ctx: FillContext): Filled {
  const fits = (value: string) => stringFits(schema, value);
  const format = typeof schema.format === "string" ? schema.format : undefined;
  const example = format === undefined ? undefined : formatExamples[format];
  const pattern = typeof schema.pattern === "string" ? schema.pattern : undefined;
  const colorish = /colou?r|hex|shade/i.test(name);
  const fallback = (): string => {
    if (typeof schema.default === "string") return schema.default;
    if (example !== undefined && fits(example)) return example;
    if (colorish) return fits("blue") ? "blue" : "#0000ff";
    const plain = toLength(schema, identifierWords(name).join(" ") || "example");
    if (fits(plain)) return plain;
    const generated = pattern === undefined ? undefined : patternExample(pattern);
    return generated !== undefined && fits(generated) ? generated : toLength(schema, "example");
  };
  // A value written out with its punctuation (an email, a URL, a date, a #hex), or any word
  // that fits a pattern ordinary words do not ("EUR" for ^[A-Z]{3}$, "10115" for ^\d{5}$).
  const shape = format === undefined ? undefined : formatShapes[format];
  const specific = pattern !== undefined && !stringFits({ pattern }, "example");
  if (shape !== undefined || pattern !== undefined) {
    const said = ctx.tokens
      .map((token) => token.replace(/^[("'`<]+|[)"'`>,;:!?.]+$/g, ""))
      .find(
        (token) =>
          token !== "" &&
          fits(token) &&
          (shape === undefined || shape.test(token)) &&
          (shape !== undefined || colorish || specific || /[^\p{L}\p{N}]/u.test(token)),
      );
    if (said !== undefined) return { value: said, fromText: true };
  }
  if ((format !== undefined || specific) && !colorish)
    return { value: fallback(), fromText: false };
  if (colorish) {
    const color = ctx.words.find((w) => colors[w] !== undefined || /^#[0-9a-f]{3,8}$/.test(w));
    if (color !== undefined) {
      const value = fits(color) ? color : (colors[color] ?? color);
      return { value, fromText: true };
    }
    // A color field takes only a color: "hello" is no value for it, so an optional one stays out.
    return { value: fallback(), fromText: false };
  }
  const mention = mentionOf(name, ctx);
  const index = subjectIndex(ctx, mention);
  const subject = index === undefined ? undefined : ctx.written[index];
  // Any string could take the subject word; only one the user named ("city Berlin") counts as
  // said, so optional strings do not all fill up with the same word.
  if (subject !== undefined && fits(subject)) {
    return { value: subject, fromText: mention !== undefined || ctx.single };
  }
  return { value: fallback(), fromText: false };
}

function fillBoolean(schema: Schema, name: string, ctx: FillContext): Filled {
  const at = mentionOf(name, ctx);
  if (at !== undefined) {
    const before = ctx.words.slice(Math.max(0, at - 2), at);
    return { value: !before.some((w) => no.has(w)), fromText: true };
  }
  if (ctx.words.some((w) => yes.has(w)) && identifierWords(name).some((w) => yes.has(w))) {
    return { value: true, fromText: true };
  }
  return { value: typeof schema.default === "boolean" ? schema.default : false, fromText: false };
}

function fillValue(schemaLike: unknown, name: string, ctx: FillContext, depth: number): Filled {
  let schema = asSchema(schemaLike);
  if (typeof schema.$ref === "string") {
    if (depth >= MAX_DEPTH) return { value: undefined, fromText: false };
    schema = { ...resolveRef(schema.$ref, ctx.root), ...schema, $ref: undefined };
  }
  if (Array.isArray(schema.allOf) && schema.type === undefined && !schema.properties) {
    const parts = schema.allOf.map((part) => fillValue(part, name, ctx, depth + 1));
    if (parts.every((part) => isObject(part.value))) {
      return {
        value: Object.assign({}, ...parts.map((part) => part.value)),
        fromText: parts.some((part) => part.fromText),
      };
    }
    return parts[0] ?? { value: undefined, fromText: false };
  }
  const options = [schema.anyOf, schema.oneOf].flatMap((list) => (Array.isArray(list) ? list : []));
  if (options.length > 0 && schema.type === undefined) {
    // The first option that takes the user's words, else the first that is not null.
    const filled = options
      .filter((option) => typeOf(asSchema(option)) !== "null")
      .map((option) => fillValue(option, name, ctx, depth + 1));
    return filled.find((f) => f.fromText) ?? filled[0] ?? { value: null, fromText: false };
  }
  if ("const" in schema) return { value: schema.const, fromText: false };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const said = schema.enum.find((v) => ctx.words.includes(String(v).toLowerCase()));
    if (said !== undefined) return { value: said, fromText: true };
    return { value: schema.default ?? schema.enum[0], fromText: false };
  }
  switch (typeOf(schema)) {
    case "object":
      if (depth >= MAX_DEPTH) return { value: {}, fromText: false };
      return fillObject(schema, ctx, depth);
    case "array":
      return fillArray(schema, name, ctx, depth);
    case "integer":
    case "number":
      return fillNumeric(schema, name, typeOf(schema) === "integer", ctx);
    case "boolean":
      return fillBoolean(schema, name, ctx);
    case "null":
      return { value: null, fromText: false };
    default:
      return fillString(schema, name, ctx);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function fillArray(schema: Schema, name: string, ctx: FillContext, depth: number): Filled {
  const min = typeof schema.minItems === "number" ? schema.minItems : 0;
  const max = typeof schema.maxItems === "number" ? schema.maxItems : Infinity;
  // A tuple (z.tuple): one value per position.
  if (Array.isArray(schema.prefixItems)) {
    const filled = schema.prefixItems.map((item, i) =>
      fillValue(item, `${name} ${i}`, ctx, depth + 1),
    );
    return { value: filled.map((f) => f.value), fromText: filled.some((f) => f.fromText) };
  }
  if (depth >= MAX_DEPTH) return { value: [], fromText: false };
  const items = asSchema(schema.items);
  // Every listed value the user said, for an array of enums ("tags red and blue").
  if (Array.isArray(items.enum) && items.enum.length > 0) {
    const said = items.enum.filter((v) => ctx.words.includes(String(v).toLowerCase()));
    const chosen = said.length > 0 ? said : items.enum.slice(0, Math.max(1, min));
    const count = Math.min(Math.max(chosen.length, min), max);
    const value = Array.from({ length: count }, (_, i) => chosen[i % chosen.length]);
    return { value, fromText: said.length > 0 };
  }
  const item = fillValue(items, name, ctx, depth + 1);
  const count = Math.min(Math.max(1, min), max);
  return { value: Array.from({ length: count }, () => item.value), fromText: item.fromText };
}

function fillNumeric(schema: Schema, name: string, integer: boolean, ctx: FillContext): Filled {
  const num = (key: string) =>
    typeof schema[key] === "number" ? (schema[key] as number) : undefined;
  const minimum = num("minimum");
  const maximum = num("maximum");
  const exclusiveMin = num("exclusiveMinimum");
  const exclusiveMax = num("exclusiveMaximum");
  const multipleOf = num("multipleOf");
  const fits = (n: number) =>
    (!integer || Number.isInteger(n)) &&
    (minimum === undefined || n >= minimum) &&
    (maximum === undefined || n <= maximum) &&
    (exclusiveMin === undefined || n > exclusiveMin) &&
    (exclusiveMax === undefined || n < exclusiveMax) &&
    (multipleOf === undefined || Number.isInteger(Number((n / multipleOf).toFixed(9))));
  // A number next to the parameter's name ("3 days", "days: 3") first, then any that fits.
  const numbers = [...ctx.text.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => ({
    value: Number(m[0]),
    at: m.index ?? 0,
  }));
  const mention = mentionOf(name, ctx);
  const nameAt =
    mention === undefined ? -1 : ctx.text.toLowerCase().indexOf(ctx.words[mention] ?? "");
  const near = numbers
    .filter((n) => fits(n.value))
    .sort((a, b) => (nameAt === -1 ? 0 : Math.abs(a.at - nameAt) - Math.abs(b.at - nameAt)));
  const said = near[0]?.value;
  if (said !== undefined) return { value: said, fromText: true };
  if (typeof schema.default === "number") return { value: schema.default, fromText: false };
  return {
    value: numberWithin(
      fits,
      { minimum, maximum, exclusiveMin, exclusiveMax, multipleOf },
      integer,
    ),
    fromText: false,
  };
}

interface Bounds {
  minimum: number | undefined;
  maximum: number | undefined;
  exclusiveMin: number | undefined;
  exclusiveMax: number | undefined;
  multipleOf: number | undefined;
}

/** 3 if allowed (a small, plausible count), else the allowed value nearest to it. */
function numberWithin(fits: (n: number) => boolean, bounds: Bounds, integer: boolean): number {
  if (fits(3)) return 3;
  const step = bounds.multipleOf ?? (integer ? 1 : 0.5);
  const low = bounds.minimum ?? bounds.exclusiveMin ?? -Infinity;
  const high = bounds.maximum ?? bounds.exclusiveMax ?? Infinity;
  const start = Math.round(Math.min(Math.max(3, low), high) / step) * step;
  for (let i = 0; i < 1000; i++) {
    for (const candidate of [start + i * step, start - i * step]) {
      if (fits(candidate)) return candidate;
    }
  }
  return Number.isFinite(low) ? low : Number.isFinite(high) ? high : 0;
}

function fillObject(schema: Schema, ctx: FillContext, depth: number): Filled {
  const properties = asSchema(schema.properties);
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const value: Record<string, unknown> = {};
  let fromText = false;
  for (const [key, propSchema] of Object.entries(properties)) {
    const filled = fillValue(propSchema, key, ctx, depth + 1);
    if (filled.value === undefined) continue;
    if (required.has(key) || filled.fromText) value[key] = filled.value;
    fromText ||= filled.fromText;
  }
  return { value, fromText };
}

/**
 * Arguments for a function call, from its declared schema and the user's words, valid for the
 * schemas `z.toJSONSchema` emits (and Gemini's own dialect): an enum takes a value the user
 * said (else its default, else the first); a number one the user said near the parameter's
 * name that fits minimum/maximum/exclusive bounds/multipleOf (else the default, else 3 or the
 * nearest allowed); an integer a whole number; a boolean true when its name is mentioned (false
 * after "no"/"not"); a string with a `format` a value the user wrote in that format (else an
 * example of it); other strings a fitting word, kept as written, within length and pattern;
 * arrays and nested objects are filled item by item, tuples position by position. Required
 * fields are always filled; optional ones only when the user said something for them.
 */
export function fillArgs(fn: GeminiFunctionDeclaration, userText: string): Record<string, unknown> {
  const schema = fn.parametersJsonSchema ?? fn.parameters;
  if (schema === undefined) return {};
  // The same split as wordsOf, kept as written so "Ada" stays "Ada".
  const written = userText.match(/[\p{L}\p{N}#]+/gu) ?? [];
  const lower = written.map((word) => word.toLowerCase());
  const root = asSchema(schema);
  const topic = new Set(identifierWords(fn.name ?? "").map(stem));
  const ctx: FillContext = {
    text: userText,
    words: lower,
    written,
    tokens: userText.split(/\s+/).filter(Boolean),
    exclude: new Set([...topic, ...keyWords(root), ...saidEnumValues(root, lower)]),
    topic,
    single: countStrings(root) <= 1,
    root,
  };
  const filled = fillValue(schema, "", ctx, 0).value;
  return isObject(filled) ? filled : {};
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

function keyWords(schema: Schema): string[] {
  return [...subschemas(schema)].flatMap(([key]) =>
    key === undefined
      ? []
      : identifierWords(key)
          .filter((w) => w.length >= 3)
          .map(stem),
  );
}

function saidEnumValues(schema: Schema, words: readonly string[]): string[] {
  return [...subschemas(schema)].flatMap(([, sub]) =>
    (Array.isArray(sub.enum) ? sub.enum : [])
      .map((value) => String(value).toLowerCase())
      .filter((value) => words.includes(value))
      .map(stem),
  );
}

function countStrings(schema: Schema): number {
  return [...subschemas(schema)].filter(
    ([key, sub]) => key !== undefined && typeOf(sub) === "string" && !Array.isArray(sub.enum),
  ).length;
}
