import type { ApiTokenCredential, CredentialField } from "@agentllm/sdk";
import type { NewCredential } from "../vault/credential-vault.ts";

/** Longest value one field takes (tokens are long: a JWT-style token is 1-2 KB). */
export const MAX_FIELD_CHARS = 4096;

/** Control characters never belong in a token or URL; a trailing newline is trimmed first. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;

export interface FormReading {
  /** Field name → trimmed value, for every declared field ("" when left empty). */
  readonly values: Readonly<Record<string, string>>;
  /** Field name → what is wrong with it, said to the user. Empty: all fine. */
  readonly errors: Readonly<Record<string, string>>;
}

/** Reads and checks the declared fields from a parsed form body; undeclared ones are ignored. */
export function readCredentialForm(
  credential: ApiTokenCredential,
  body: Readonly<Record<string, unknown>>,
): FormReading {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const [name, field] of Object.entries(credential.fields) as [string, CredentialField][]) {
    const key = `field.${name}`;
    const raw = Object.hasOwn(body, key) ? body[key] : undefined;
    if (raw !== undefined && typeof raw !== "string") {
      values[name] = "";
      errors[name] = `${field.label} was sent more than once; send it once.`;
      continue;
    }
    const value = (raw ?? "").trim();
    values[name] = value.length > MAX_FIELD_CHARS || CONTROL.test(value) ? "" : value;
    const problem = checkField(field, value);
    if (problem) errors[name] = problem;
  }
  return { values, errors };
}

function checkField(field: CredentialField, value: string): string | undefined {
  if (value === "") return field.required === false ? undefined : `Enter ${field.label}.`;
  if (value.length > MAX_FIELD_CHARS) {
    return `${field.label} is longer than ${MAX_FIELD_CHARS} characters.`;
  }
  if (CONTROL.test(value)) return `${field.label} contains control characters; paste it again.`;
  if (field.type === "url") {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return `${field.label} must be an http(s) URL, such as https://example.com.`;
    }
  }
  return undefined;
}

/** What the vault keeps: secret fields encrypted; the rest, with `validate`'s metadata, plain. */
export function toNewCredential(
  credential: ApiTokenCredential,
  values: Readonly<Record<string, string>>,
  checkedMetadata: Readonly<Record<string, string>> = {},
): NewCredential {
  const secrets: Record<string, string> = {};
  const metadata: Record<string, string> = { ...checkedMetadata };
  for (const [name, field] of Object.entries(credential.fields) as [string, CredentialField][]) {
    const value = values[name] ?? "";
    if (value === "") continue;
    if (field.secret) secrets[name] = value;
    else metadata[name] = value;
  }
  return { kind: "api-token", secrets, metadata };
}
