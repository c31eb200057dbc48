import { createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "./canonical-json.ts";
import type { PendingApproval } from "./pending-approval.ts";

/** HKDF `info` of the approval key, derived from the vault's first key (`KeyRing.deriveKey`). */
export const APPROVAL_KEY_INFO = "agentllm approvals";

/** Names the format, so a MAC made for anything else (a connect ticket) never verifies here. */
const DOMAIN = "agentllm approval v1\n";

/**
 * Signs pending approvals: HMAC-SHA256 over the canonical JSON of every field that decides what
 * runs and for whom (user, agent, conversation, the answer that asked, the calls, the times).
 * The database row carries the MAC; before anything runs, the row is checked against it, so a
 * row written or changed by anyone without the key (a database-only attacker, a bug that mixes
 * rows up) never runs.
 */
export class ApprovalSigner {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    if (key.length < 32) throw new Error("an approval key must be at least 32 bytes");
    this.#key = Uint8Array.from(key);
  }

  sign(approval: PendingApproval): string {
    return createHmac("sha256", this.#key)
      .update(DOMAIN)
      .update(canonicalJson(signedFields(approval)))
      .digest("base64url");
  }

  /** Constant time in the MAC's bytes. */
  verify(approval: PendingApproval, mac: string): boolean {
    const expected = Buffer.from(this.sign(approval));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Never the key. */
  toJSON(): string {
    return "[ApprovalSigner]";
  }
}

function signedFields(approval: PendingApproval): unknown {
  return {
    id: approval.id,
    userId: approval.userId,
    agent: approval.agent,
    sessionId: approval.sessionId,
    prefixKey: approval.prefixKey,
    calls: approval.calls.map((call) => ({
      callId: call.callId,
      name: call.name,
      args: call.args,
    })),
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
  };
}
