import type { NewCredential } from "./credential-vault.ts";

/** Longest user id: what the runtime's identity headers accept (http/identity-headers.ts). */
export const MAX_USER_ID_LENGTH = 256;
/** Longest toolkit name: names come from code, so this only catches mistakes. */
export const MAX_TOOLKIT_LENGTH = 128;
/** Secret fields, and metadata fields, of one credential (Jira has two, OAuth a handful). */
export const MAX_FIELDS = 16;
export const MAX_FIELD_NAME_LENGTH = 64;
/**
 * Longest secret value. Jira tokens are under 200 characters and Google's tokens under 2 KiB
 * (its documented sizes); 8 KiB leaves room for JWT-style tokens.
 */
export const MAX_SECRET_LENGTH = 8 * 1024;
/** Longest metadata value: a URL, a scope list, an account name. */
export const MAX_METADATA_LENGTH = 2 * 1024;

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const KINDS = new Set(["api-token", "oauth2"]);

/** A credential the vault will not store; the message names the part, never a value. */
export class InvalidCredentialError extends Error {
  override readonly name = "InvalidCredentialError";
}

/** Checks what `put` is given, so SQLite and Postgres refuse the same credentials. */
export function assertCredential(userId: string, toolkit: string, credential: NewCredential): void {
  assertKey(userId, toolkit);
  if (!KINDS.has(credential.kind)) {
    throw new InvalidCredentialError("kind must be 'api-token' or 'oauth2'");
  }
  const secrets = Object.entries(credential.secrets ?? {});
  if (secrets.length === 0) throw new InvalidCredentialError("a credential needs a secret field");
  assertFields("secret", secrets, MAX_SECRET_LENGTH);
  assertFields("metadata", Object.entries(credential.metadata ?? {}), MAX_METADATA_LENGTH);
}

/** Checks a (user, toolkit) pair; the toolkit may be left out (all of the user's). */
export function assertKey(userId: string, toolkit?: string): void {
  if (typeof userId !== "string" || userId === "" || userId.length > MAX_USER_ID_LENGTH) {
    throw new InvalidCredentialError(`the user id must be 1 to ${MAX_USER_ID_LENGTH} characters`);
  }
  if (
    toolkit !== undefined &&
    (typeof toolkit !== "string" || toolkit === "" || toolkit.length > MAX_TOOLKIT_LENGTH)
  ) {
    throw new InvalidCredentialError(
      `the toolkit name must be 1 to ${MAX_TOOLKIT_LENGTH} characters`,
    );
  }
}

function assertFields(
  what: "secret" | "metadata",
  fields: ReadonlyArray<[string, unknown]>,
  maxLength: number,
): void {
  if (fields.length > MAX_FIELDS) {
    throw new InvalidCredentialError(`${fields.length} ${what} fields; at most ${MAX_FIELDS}`);
  }
  for (const [name, value] of fields) {
    if (name.length > MAX_FIELD_NAME_LENGTH || !FIELD_NAME.test(name)) {
      throw new InvalidCredentialError(
        `${what} field names are 1 to ${MAX_FIELD_NAME_LENGTH} letters, digits, '_', '.' or '-', starting with a letter`,
      );
    }
    if (typeof value !== "string") {
      throw new InvalidCredentialError(`${what} field '${name}' must be a string`);
    }
    if (what === "secret" && value === "") {
      throw new InvalidCredentialError(`secret field '${name}' is empty`);
    }
    if (value.length > maxLength) {
      throw new InvalidCredentialError(
        `${what} field '${name}' is ${value.length} characters; at most ${maxLength}`,
      );
    }
  }
}
