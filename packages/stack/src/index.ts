export type { ChildService } from "./child-service.ts";
export {
  assertBuildFresh,
  buildCompiled,
  StaleBuildError,
  staleBuildProject,
} from "./compiled-build.ts";
export { freePort } from "./free-port.ts";
export { paths, repoRoot } from "./repo-paths.ts";
export type { RunningStack, RuntimeForm, StackOptions } from "./start-stack.ts";
export {
  BridgeNotInstalledError,
  DEFAULT_MASTER_KEY,
  RUNTIME_NODE_OPTIONS,
  runtimeArgs,
  startStack,
} from "./start-stack.ts";
