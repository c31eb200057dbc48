import { identifierWords } from "./conversation.ts";
import {
  type FillContext,
  type Filled,
  mentionOf,
  type Schema,
  subjectIndex,
} from "./fill-context.ts";
import { patternExample } from "./pattern-example.ts";

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

export function fillString(schema: Schema, name: string, ctx: FillContext): Filled {
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
