export { InvalidAgentPackageError } from "./invalid-agent-package-error.ts";
export { ModelProviderError, type ModelProviderFailure } from "./model-provider-error.ts";
export { UnknownAgentError } from "./unknown-agent-error.ts";
