import type { FakeDriveFile } from "./drive-seed.ts";

/** A parsed `q`: every clause must hold. */
export type DriveFilter = (file: FakeDriveFile) => boolean;

/** The part of Drive's query language the fake understands; anything else is Google's 400. */
export class DriveQueryError extends Error {}

/**
 * Parses clauses joined by `and`: `name contains 'x'`, `name = 'x'`, `mimeType = 'x'`,
 * `mimeType != 'x'`, `trashed = true|false`. Strings are single-quoted with `\'` and `\\`
 * escapes, as Drive's. `name contains` is Drive's prefix match: every word of the value starts
 * some word of the name ("Hello" finds "HelloWorld", "World" does not), case-insensitive.
 */
export function parseDriveQuery(q: string): DriveFilter {
  const clauses: DriveFilter[] = [];
  let rest = q.trim();
  while (rest.length > 0) {
    const head = /^(name|mimeType|trashed)\s*(contains|!=|=)\s*/.exec(rest);
    if (!head) throw new DriveQueryError(q);
    const [whole, field, op] = head as unknown as [string, string, string];
    rest = rest.slice(whole.length);
    let value: string | boolean;
    if (field === "trashed") {
      const bool = /^(true|false)\b/.exec(rest);
      if (!bool || op === "contains") throw new DriveQueryError(q);
      value = bool[1] === "true";
      rest = rest.slice(bool[0].length);
    } else {
      const parsed = quoted(rest, q);
      value = parsed.value;
      rest = parsed.rest;
    }
    clauses.push(clause(field, op, value, q));
    rest = rest.trimStart();
    if (rest.length === 0) break;
    const and = /^and\s+/i.exec(rest);
    if (!and) throw new DriveQueryError(q);
    rest = rest.slice(and[0].length);
  }
  return (file) => clauses.every((matches) => matches(file));
}

function quoted(text: string, q: string): { value: string; rest: string } {
  if (!text.startsWith("'")) throw new DriveQueryError(q);
  let value = "";
  for (let i = 1; i < text.length; i++) {
    const char = text[i] as string;
    if (char === "\\") {
      const next = text[i + 1];
      if (next === undefined) break;
      value += next;
      i++;
    } else if (char === "'") {
      return { value, rest: text.slice(i + 1) };
    } else {
      value += char;
    }
  }
  throw new DriveQueryError(q);
}

function clause(field: string, op: string, value: string | boolean, q: string): DriveFilter {
  if (field === "trashed") {
    return op === "="
      ? (f) => (f.trashed ?? false) === value
      : (f) => (f.trashed ?? false) !== value;
  }
  const text = value as string;
  if (field === "mimeType") {
    if (op === "contains") throw new DriveQueryError(q);
    return op === "=" ? (f) => f.mimeType === text : (f) => f.mimeType !== text;
  }
  if (op === "contains") {
    const words = tokens(text);
    return (f) => {
      const names = tokens(f.name);
      return words.every((word) => names.some((name) => name.startsWith(word)));
    };
  }
  return op === "=" ? (f) => f.name === text : (f) => f.name !== text;
}

/** Drive splits names and queries on anything not a letter or digit, case-insensitively. */
function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token.length > 0);
}

/** A `fields` selection: `*`, or names with nested `files(id,name)` parts. */
export type FieldSelection = "*" | Map<string, FieldSelection>;

export function parseFields(raw: string): FieldSelection {
  const fields = raw.replace(/\s+/g, "");
  let at = 0;
  const parse = (): Map<string, FieldSelection> => {
    const selection = new Map<string, FieldSelection>();
    while (at < fields.length) {
      const name = /^[A-Za-z*]+/.exec(fields.slice(at))?.[0];
      if (!name) throw new DriveQueryError(fields);
      at += name.length;
      let nested: FieldSelection = "*";
      if (fields[at] === "(") {
        at++;
        nested = parse();
        if (fields[at] !== ")") throw new DriveQueryError(fields);
        at++;
      }
      selection.set(name, nested);
      if (fields[at] === ",") {
        at++;
        continue;
      }
      break;
    }
    return selection;
  };
  const selection = parse();
  if (at !== fields.length) throw new DriveQueryError(fields);
  if (selection.size === 1 && selection.get("*") === "*") return "*";
  return selection;
}

/** Keeps the selected fields of a resource, as Drive's partial responses do. */
export function pick(value: unknown, selection: FieldSelection): unknown {
  if (selection === "*" || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => pick(item, selection));
  if (selection.get("*") === "*") return value;
  const out: Record<string, unknown> = {};
  for (const [name, nested] of selection) {
    const field = (value as Record<string, unknown>)[name];
    if (field !== undefined) out[name] = pick(field, nested);
  }
  return out;
}
