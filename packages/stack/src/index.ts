export type { ChildExit, ChildService } from "./child-service.ts";
export { httpOk, startChildService } from "./child-service.ts";
export {
  assertBuildFresh,
  buildCompiled,
  StaleBuildError,
  staleBuildProject,
} from "./compiled-build.ts";
export { freePort } from "./free-port.ts";
export { paths, repoRoot } from "./repo-paths.ts";
export { type ProxyOptions, startProxy } from "./start-proxy.ts";
export type { RunningStack, RuntimeForm, StackOptions } from "./start-stack.ts";
export {
  BridgeNotInstalledError,
  DEFAULT_MASTER_KEY,
  RUNTIME_NODE_OPTIONS,
  randomFernetKey,
  runtimeArgs,
  startStack,
} from "./start-stack.ts";
export type { RestartPolicy } from "./supervised-service.ts";
export { DEFAULT_RESTART_POLICY, restartDelay } from "./supervised-service.ts";
