/**
 * Each user's credentials, one per (user, toolkit): the secret values encrypted at rest
 * (Fernet), the rest plain metadata an operator may query. The only way the runtime reads or
 * writes a credential; keyed by the user id the bridge resolved and nothing else.
 */
export interface CredentialVault {
  /** The decrypted credential, or undefined when the user has none (or no key decrypts it). */
  get(userId: string, toolkit: string): Promise<StoredCredential | undefined>;
  /** Inserts or replaces the user's credential for the toolkit. */
  put(userId: string, toolkit: string, credential: NewCredential): Promise<void>;
  /** Removes one toolkit's credential, or all of the user's; returns how many were removed. */
  remove(userId: string, toolkit?: string): Promise<number>;
  /** Metadata of every stored credential (one user's when given); never a secret value. */
  list(filter?: { readonly userId?: string }): Promise<CredentialSummary[]>;
}

export type CredentialKind = "api-token" | "oauth2";

export interface NewCredential {
  readonly kind: CredentialKind;
  /** Field name → secret value (a token; an OAuth refresh token). Encrypted before storage. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Field name → value that is not secret (server URL, account name, scopes, expiry). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface StoredCredential extends NewCredential {
  readonly userId: string;
  readonly toolkit: string;
  /** ISO-8601: first connected, and last replaced. */
  readonly connectedAt: string;
  readonly updatedAt: string;
}

export interface CredentialSummary {
  readonly userId: string;
  readonly toolkit: string;
  readonly kind: CredentialKind;
  readonly metadata: Readonly<Record<string, string>>;
  /** Names of the secret fields held, never their values. */
  readonly secretFields: readonly string[];
  readonly connectedAt: string;
  readonly updatedAt: string;
}
