import { randomUUID } from "node:crypto";
import type { PluginLogger } from "@agentllm/sdk";
import type { Content } from "@google/genai";
import { PrefixHasher, visibleText } from "../conversation/history-key.ts";
import type { SessionKey } from "../sessions/session-store.ts";
import { type ApprovalReply, classifyReply } from "./approval-reply.ts";
import type { ApprovalSigner } from "./approval-signer.ts";
import type { PendingApproval, PendingCall } from "./pending-approval.ts";
import type { PendingApprovals } from "./pending-approvals.ts";

/** How the user's message after an approval request was taken. */
export type ApprovalOutcome =
  /** Verified and consumed: the calls run now, once. */
  | { readonly kind: "approved"; readonly calls: readonly PendingCall[] }
  /** Closed without running: the model is told why. */
  | {
      readonly kind: "declined" | "expired" | "moved-on" | "not-valid";
      readonly calls: readonly PendingCall[];
    };

/** The user's message that may answer a request, and the conversation it follows. */
export interface Reply {
  /** The key of the conversation up to and including the answer before the reply. */
  readonly prefixKey: string;
  readonly reply: ApprovalReply;
}

/**
 * Approval before side effects: stores what the model asked for (signed), and decides what the
 * user's next message does to it. See docs/architecture.md, "Approval before side effects".
 */
export class Approvals {
  readonly #store: PendingApprovals;
  readonly #signer: ApprovalSigner;
  readonly #now: () => number;
  readonly ttlSeconds: number;

  constructor(options: {
    store: PendingApprovals;
    signer: ApprovalSigner;
    ttlSeconds: number;
    now?: () => number;
  }) {
    this.#store = options.store;
    this.#signer = options.signer;
    this.ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  /** Stores a request for these calls, asked by the answer whose conversation key is given. */
  async request(key: SessionKey, prefixKey: string, calls: readonly PendingCall[]): Promise<void> {
    const now = this.#now();
    const approval: PendingApproval = {
      id: randomUUID(),
      userId: key.userId,
      agent: key.agent,
      sessionId: key.sessionId,
      prefixKey,
      calls: calls.map((call) => ({ callId: call.callId, name: call.name, args: call.args ?? {} })),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.ttlSeconds * 1000).toISOString(),
    };
    await this.#store.add(approval, this.#signer.sign(approval));
  }

  /**
   * What the new message does to the request its history answers, if any. Only a conversation
   * whose visible history is exactly the one that asked (same user, agent and chat; same
   * earlier turns; the asking answer unedited) finds the request; an approval runs only after
   * the row's MAC is verified and the row is consumed by the one UPDATE that can succeed.
   * Undefined: no open request follows this history, and the turn is an ordinary one.
   */
  async resolve(
    key: SessionKey,
    contents: readonly Content[],
    logger: PluginLogger,
  ): Promise<ApprovalOutcome | undefined> {
    const reply = replyIn(contents);
    if (!reply) return undefined;
    const stored = await this.#store.findOpen(key, reply.prefixKey);
    if (!stored) return undefined;
    const { approval, mac } = stored;
    const sameConversation =
      approval.userId === key.userId &&
      approval.agent === key.agent &&
      approval.sessionId === key.sessionId &&
      approval.prefixKey === reply.prefixKey;
    if (!sameConversation || !this.#signer.verify(approval, mac)) {
      // Written or changed by something without the key: never run it, and say so loudly.
      logger.error({ approval: approval.id }, "a pending approval failed its MAC check; not run");
      await this.#store.close(approval.id, "invalid");
      return { kind: "not-valid", calls: approval.calls };
    }
    if (reply.reply === "other") {
      await this.#store.close(approval.id, "moved-on");
      return { kind: "moved-on", calls: approval.calls };
    }
    if (Date.parse(approval.expiresAt) <= this.#now()) {
      await this.#store.close(approval.id, "expired");
      return { kind: "expired", calls: approval.calls };
    }
    if (reply.reply === "decline") {
      const closed = await this.#store.close(approval.id, "declined");
      return { kind: closed ? "declined" : "not-valid", calls: approval.calls };
    }
    const consumed = await this.#store.consume(approval.id);
    logger.info({ approval: approval.id, consumed }, "approval answered");
    return consumed
      ? { kind: "approved", calls: approval.calls }
      : { kind: "not-valid", calls: approval.calls };
  }
}

/**
 * The reply in a history: the user's messages after the last answer. Only one message of text
 * alone can approve or decline; several, or one with an attachment, are "other" (the request is
 * not approved). A Continue (the history ends with an answer) is no reply. The key is computed
 * as the session's turns are keyed, so it equals the asking turn's key iff the history up to and
 * including that answer is unchanged.
 */
export function replyIn(contents: readonly Content[]): Reply | undefined {
  const lastAnswer = contents.findLastIndex((content) => content.role === "model");
  const after = contents.slice(lastAnswer + 1);
  if (lastAnswer < 0 || after.length === 0) return undefined;
  const hasher = new PrefixHasher();
  for (const content of contents.slice(0, lastAnswer + 1)) hasher.addContent(content);
  const [message] = after;
  const parts = message?.parts ?? [];
  const textOnly =
    after.length === 1 && parts.length > 0 && parts.every((part) => typeof part.text === "string");
  return {
    prefixKey: hasher.key(),
    reply: textOnly && message ? classifyReply(visibleText(message)) : "other",
  };
}
