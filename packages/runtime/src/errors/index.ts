export { InvalidAgentPackageError } from "./invalid-agent-package-error.ts";
export { UnknownAgentError } from "./unknown-agent-error.ts";
