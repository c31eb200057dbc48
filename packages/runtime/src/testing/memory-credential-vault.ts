import type {
  CredentialSummary,
  CredentialVault,
  NewCredential,
  StoredCredential,
} from "../vault/credential-vault.ts";

/**
 * A `CredentialVault` in a Map, for tests of what reads or stores credentials (the run-time
 * seam, the connect detour, the connect pages); the real, encrypted one has its own suite.
 * Records reads and writes, so a test can check the one-read-per-request rule or what a page
 * stored; `failNextPut` makes the next `put` throw.
 */
export class MemoryCredentialVault implements CredentialVault {
  readonly #rows = new Map<string, StoredCredential>();
  /** `userId/toolkit` of every `get`, in order. */
  readonly reads: string[] = [];
  readonly puts: { userId: string; toolkit: string; credential: NewCredential }[] = [];
  failNextPut = false;

  async get(userId: string, toolkit: string): Promise<StoredCredential | undefined> {
    this.reads.push(`${userId}/${toolkit}`);
    return this.#rows.get(key(userId, toolkit));
  }

  async put(userId: string, toolkit: string, credential: NewCredential): Promise<void> {
    if (this.failNextPut) {
      this.failNextPut = false;
      throw new Error("the vault is down");
    }
    this.puts.push({ userId, toolkit, credential });
    const now = new Date().toISOString();
    const existing = this.#rows.get(key(userId, toolkit));
    this.#rows.set(key(userId, toolkit), {
      kind: credential.kind,
      secrets: { ...credential.secrets },
      metadata: { ...credential.metadata },
      userId,
      toolkit,
      connectedAt: existing?.connectedAt ?? now,
      updatedAt: now,
    });
  }

  async remove(userId: string, toolkit?: string): Promise<number> {
    let removed = 0;
    for (const [k, row] of this.#rows) {
      if (row.userId === userId && (toolkit === undefined || row.toolkit === toolkit)) {
        this.#rows.delete(k);
        removed++;
      }
    }
    return removed;
  }

  async list(filter: { readonly userId?: string } = {}): Promise<CredentialSummary[]> {
    return [...this.#rows.values()]
      .filter((row) => filter.userId === undefined || row.userId === filter.userId)
      .map((row) => ({
        userId: row.userId,
        toolkit: row.toolkit,
        kind: row.kind,
        metadata: row.metadata,
        secretFields: Object.keys(row.secrets),
        connectedAt: row.connectedAt,
        updatedAt: row.updatedAt,
      }));
  }
}

function key(userId: string, toolkit: string): string {
  return JSON.stringify([userId, toolkit]);
}
