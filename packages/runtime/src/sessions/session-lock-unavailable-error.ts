/**
 * The session's database lock could not be asked for: this runtime holds as many lock
 * connections as it may (`capacity`), or the database did not answer (`database`). Nothing
 * ran; maps to 503 with Retry-After. The cause may name the host, never the password.
 */
export class SessionLockUnavailableError extends Error {
  override readonly name = "SessionLockUnavailableError";
  constructor(
    readonly reason: "capacity" | "database",
    /** The lock connection bound, for the message. */
    readonly maxConnections: number,
    cause?: unknown,
  ) {
    super(
      reason === "capacity"
        ? `The agent runtime holds its limit of ${maxConnections} conversation locks`
        : "The agent runtime cannot reach its database to lock this conversation",
      { cause },
    );
  }
}
