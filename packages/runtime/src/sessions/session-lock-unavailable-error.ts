/**
 * The session's database lock could not be asked for: this runtime holds as many lock
 * connections as it may (`capacity`), or the database did not answer (`database`); nothing
 * ran. Or a held lock was `lost` with its connection: the run stops there, stored as partial,
 * since another runtime may now take the conversation. Maps to 503 with Retry-After. The
 * cause may name the host, never the password.
 */
export class SessionLockUnavailableError extends Error {
  override readonly name = "SessionLockUnavailableError";
  constructor(
    readonly reason: "capacity" | "database" | "lost",
    /** The lock connection bound, for the message. */
    readonly maxConnections: number,
    cause?: unknown,
  ) {
    super(
      reason === "capacity"
        ? `The agent runtime holds its limit of ${maxConnections} conversation locks`
        : reason === "lost"
          ? "The agent runtime lost its database connection holding this conversation's lock, so the answer stops here"
          : "The agent runtime cannot reach its database to lock this conversation",
      { cause },
    );
  }
}
