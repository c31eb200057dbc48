/** A request named a model that no discovered agent package provides. */
export class UnknownAgentError extends Error {
  override readonly name = "UnknownAgentError";
  constructor(
    readonly requested: string,
    readonly available: readonly string[],
  ) {
    super(
      `The model '${requested}' does not exist. Available agents: ${available.map((name) => `agno/${name}`).join(", ") || "none"}.`,
    );
  }
}
