/**
 * Another request for the same session still holds its lock, and this one could not wait
 * for it (or waited as long as the runtime allows). Maps to 409 `session_busy`.
 */
export class SessionBusyError extends Error {
  override readonly name = "SessionBusyError";
  constructor(
    /** The client's session id; kept out of the message, which may reach logs and clients. */
    readonly sessionId: string,
    /** How long this request waited before giving up (0 = it did not wait). */
    readonly waitedMs: number,
  ) {
    super("Another request for this conversation is still running; try again when it finishes.");
  }
}
