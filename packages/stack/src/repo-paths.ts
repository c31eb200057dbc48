import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file lives in packages/stack/src. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const paths = {
  runtimeMain: path.join(repoRoot, "packages/runtime/src/main.ts"),
  proxyConfig: path.join(repoRoot, "proxy_config.yaml"),
  litellm: path.join(repoRoot, "bridge/.venv/bin/litellm"),
} as const;
