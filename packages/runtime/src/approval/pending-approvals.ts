import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";
import type { SessionKey } from "../sessions/session-store.ts";
import type { ApprovalDecision, PendingApproval, PendingCall } from "./pending-approval.ts";

/** Closed and expired rows are kept this long (for operators), then deleted by the next `add`. */
export const APPROVAL_RETENTION_MS = 24 * 60 * 60 * 1000;

/** A stored request with its MAC, as read back (still to be verified). */
export interface StoredApproval {
  readonly approval: PendingApproval;
  readonly mac: string;
}

/**
 * Pending approvals in the app database, so an approval can land on any replica and survives a
 * restart. The store neither signs nor checks MACs (`ApprovalSigner`); it makes the one promise
 * the rest relies on: `consume` succeeds for one caller, once, and only before expiry.
 */
export class PendingApprovals {
  readonly #db: Kysely<Database>;
  readonly #now: () => number;

  constructor(db: Kysely<Database>, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Stores a request; any still-open request of the same conversation is closed first
   * ("superseded"), so a conversation has at most one open request.
   */
  async add(approval: PendingApproval, mac: string): Promise<void> {
    const now = new Date(this.#now()).toISOString();
    const forgetBefore = new Date(this.#now() - APPROVAL_RETENTION_MS).toISOString();
    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom("pending_approvals").where("expires_at", "<", forgetBefore).execute();
      await trx
        .updateTable("pending_approvals")
        .set({ consumed_at: now, decision: "superseded" })
        .where("user_id", "=", approval.userId)
        .where("agent", "=", approval.agent)
        .where("session_id", "=", approval.sessionId)
        .where("consumed_at", "is", null)
        .execute();
      await trx
        .insertInto("pending_approvals")
        .values({
          id: approval.id,
          user_id: approval.userId,
          agent: approval.agent,
          session_id: approval.sessionId,
          prefix_key: approval.prefixKey,
          calls: JSON.stringify(approval.calls),
          created_at: approval.createdAt,
          expires_at: approval.expiresAt,
          mac,
          consumed_at: null,
          decision: null,
        })
        .execute();
    });
  }

  /**
   * The open (not yet closed) request of this conversation whose asking answer has this key;
   * expired ones too, so the caller can tell the model it expired.
   */
  async findOpen(key: SessionKey, prefixKey: string): Promise<StoredApproval | undefined> {
    const row = await this.#db
      .selectFrom("pending_approvals")
      .selectAll()
      .where("user_id", "=", key.userId)
      .where("agent", "=", key.agent)
      .where("session_id", "=", key.sessionId)
      .where("prefix_key", "=", prefixKey)
      .where("consumed_at", "is", null)
      .orderBy("created_at", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!row) return undefined;
    let calls: PendingCall[];
    try {
      const parsed: unknown = JSON.parse(row.calls);
      calls = Array.isArray(parsed) ? (parsed as PendingCall[]) : [];
    } catch {
      calls = [];
    }
    return {
      approval: {
        id: row.id,
        userId: row.user_id,
        agent: row.agent,
        sessionId: row.session_id,
        prefixKey: row.prefix_key,
        calls,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      },
      mac: row.mac,
    };
  }

  /**
   * Closes an open, unexpired request as approved: true for exactly one caller. One UPDATE whose
   * WHERE holds every condition, so two replicas (or two requests) racing both ask the database,
   * and only one row change can happen.
   */
  async consume(id: string): Promise<boolean> {
    const now = new Date(this.#now()).toISOString();
    const result = await this.#db
      .updateTable("pending_approvals")
      .set({ consumed_at: now, decision: "approved" })
      .where("id", "=", id)
      .where("consumed_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Closes an open request without running it; false when it was already closed. */
  async close(id: string, decision: Exclude<ApprovalDecision, "approved">): Promise<boolean> {
    const result = await this.#db
      .updateTable("pending_approvals")
      .set({ consumed_at: new Date(this.#now()).toISOString(), decision })
      .where("id", "=", id)
      .where("consumed_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
