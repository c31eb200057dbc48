import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../src/repo-paths.ts";

// Which environment variables the product's code reads, found by name in its sources: used by the
// documentation check (every one is documented) and the compose check (each service is given the
// ones its code reads).

const NAMES =
  /\b(AGENTLLM_[A-Z0-9_]*[A-Z0-9]|GEMINI_API_KEY|GOOGLE_API_KEY|GOOGLE_GEMINI_BASE_URL|LITELLM_MASTER_KEY|DATABASE_URL)\b/g;

/** The TypeScript, Python and shell sources under `dir`, tests and templates left out. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (["node_modules", "dist", ".venv", "__pycache__", "template"].includes(name)) return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    const source = /\.(ts|py|sh)$/.test(name) && !/\.test\.ts$|\.case\.ts$|^test_/.test(name);
    return source ? [full] : [];
  });
}

/**
 * Every variable name in `files`. `skipComments` leaves out whole-line comments (`#`, `//`, `*`),
 * for "what does this code read" rather than "what does it mention".
 */
export function variablesReadIn(
  files: readonly string[],
  { skipComments = false }: { skipComments?: boolean } = {},
): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    let text = readFileSync(file, "utf8");
    if (skipComments) {
      text = text
        .split("\n")
        .filter((line) => !/^\s*(#|\/\/|\/?\*)/.test(line))
        .join("\n");
    }
    for (const match of text.matchAll(NAMES)) names.add(match[1] as string);
    // The proxy's limits are read as PREFIX + name (bridge/src/agentllm_bridge/proxy_settings.py).
    for (const match of text.matchAll(/_(?:int|seconds)\(env, "([A-Z_]+)"/g)) {
      names.add(`AGENTLLM_PROXY_${match[1]}`);
    }
  }
  names.delete("AGENTLLM_PROXY_"); // the prefix itself
  return names;
}

/** The sources of one package (`packages/<name>/src`), or none if it has no src folder. */
export function packageSources(name: string): string[] {
  const src = path.join(repoRoot, "packages", name, "src");
  return statSync(src, { throwIfNoEntry: false })?.isDirectory() ? sourceFiles(src) : [];
}

/** Every variable name the product's code, the justfile and CI read. */
export function variablesRead(): Set<string> {
  return variablesReadIn([
    ...readdirSync(path.join(repoRoot, "packages")).flatMap(packageSources),
    ...sourceFiles(path.join(repoRoot, "bridge/src")),
    ...sourceFiles(path.join(repoRoot, "scripts")),
    path.join(repoRoot, "justfile"),
    path.join(repoRoot, ".ci/run"),
  ]);
}
