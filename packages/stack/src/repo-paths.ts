import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file lives in packages/stack/src. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const paths = {
  /** The runtime's entry as TypeScript, run with `node --import tsx`. */
  runtimeMain: path.join(repoRoot, "packages/runtime/src/main.ts"),
  /** The same entry compiled by `npx just build`, run with `node --conditions=production`. */
  runtimeCompiledMain: path.join(repoRoot, "packages/runtime/dist/main.js"),
  /** The build's solution config: every package the compiled runtime loads. */
  buildConfig: path.join(repoRoot, "tsconfig.build.json"),
  tsc: path.join(repoRoot, "node_modules/typescript/bin/tsc"),
  proxyConfig: path.join(repoRoot, "proxy_config.yaml"),
  litellm: path.join(repoRoot, "bridge/.venv/bin/litellm"),
} as const;
