import { identifierWords, stem } from "./conversation.ts";
import {
  asSchema,
  countStrings,
  type FillContext,
  type Filled,
  isObject,
  keyWords,
  MAX_DEPTH,
  mentionOf,
  no,
  resolveRef,
  type Schema,
  saidEnumValues,
  typeOf,
  yes,
} from "./fill-context.ts";
import { fillNumeric } from "./fill-number.ts";
import { fillString } from "./fill-string.ts";
import type { GeminiFunctionDeclaration } from "./recorded-request.ts";

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
