/** One side-effect call the model asked for, exactly as it will run once approved. */
export interface PendingCall {
  readonly callId: string;
  readonly name: string;
  /** The model's arguments as JSON (validated again by the tool's schema when it runs). */
  readonly args: unknown;
}

/** What a user is asked to approve, and for which conversation. */
export interface PendingApproval {
  /** uuid */
  readonly id: string;
  readonly userId: string;
  readonly agent: string;
  readonly sessionId: string;
  /**
   * The conversation key (`conversation/history-key.ts`) of everything the client showed up to
   * and including the answer that asked: the reply must come right after that exact history.
   */
  readonly prefixKey: string;
  readonly calls: readonly PendingCall[];
  /** ISO-8601, milliseconds. */
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** How a request was closed; stored, for operators. */
export type ApprovalDecision =
  | "approved"
  | "declined"
  | "expired"
  | "moved-on"
  | "superseded"
  | "invalid";
