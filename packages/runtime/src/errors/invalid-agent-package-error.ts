/** An agent package's manifest or default export is not a valid agent; stops the start. */
export class InvalidAgentPackageError extends Error {
  override readonly name = "InvalidAgentPackageError";
  constructor(
    readonly packageDir: string,
    reason: string,
  ) {
    super(`agent package at ${packageDir}: ${reason}`);
  }
}
