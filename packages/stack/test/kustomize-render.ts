import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "../src/repo-paths.ts";

// Renders a kustomize base with the real kustomize (sigs.k8s.io/kustomize, the engine inside
// `kubectl kustomize`), pinned and built from the Go module registry by `just setup-kustomize`
// into tmp/bin: no registry we use ships a kustomize binary, and a renderer of our own would be
// a second kustomize to trust.

/** The pinned kustomize; the justfile's setup-kustomize recipe installs this version. */
export const KUSTOMIZE_VERSION = "v5.7.1";
export const KUSTOMIZE_BIN = path.join(repoRoot, "tmp/bin/kustomize");

/** One Kubernetes object, as parsed. */
export type KubeObject = {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
};

export class KustomizeError extends Error {
  override readonly name = "KustomizeError";
}

/** Every object `kustomize build dir` renders. */
export function renderKustomization(dir: string): KubeObject[] {
  if (!existsSync(KUSTOMIZE_BIN)) {
    throw new KustomizeError(
      `${KUSTOMIZE_BIN} is missing: run \`npx just setup-kustomize\` (needs Go on PATH)`,
    );
  }
  let rendered: string;
  try {
    rendered = execFileSync(KUSTOMIZE_BIN, ["build", dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new KustomizeError(`kustomize build ${dir} failed: ${stderr.trim()}`);
  }
  return parseAllDocuments(rendered).map((doc) => doc.toJS() as KubeObject);
}

/** The installed kustomize's version line, to check it is the pinned one. */
export function kustomizeVersion(): string {
  return execFileSync(KUSTOMIZE_BIN, ["version"], { encoding: "utf8" }).trim();
}
