import type { Selectable } from "kysely";
import type { CredentialsTable } from "../database/schema.ts";
import type { CredentialKind } from "./credential-vault.ts";

export type CredentialRow = Selectable<CredentialsTable>;

/** A row's JSON columns parsed; the secrets still Fernet tokens. */
export interface DecodedCredentialRow {
  readonly kind: CredentialKind;
  readonly tokens: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly connectedAt: string;
  readonly updatedAt: string;
}

/**
 * Parses a row written by the vault. A row damaged by hand reads as holding no fields (so it
 * decrypts to nothing and the user connects again) rather than failing every listing.
 */
export function decodeCredentialRow(row: CredentialRow): DecodedCredentialRow {
  return {
    kind: row.kind,
    tokens: stringRecord(row.secrets),
    metadata: stringRecord(row.metadata),
    connectedAt: row.connected_at,
    updatedAt: row.updated_at,
  };
}

function stringRecord(json: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  return Object.fromEntries(
    Object.entries(parsed).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
}
