import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/repo-paths.ts";

// Every environment variable the code reads is documented (docs/configuration.md) and listed in
// the secrets template, so an operator never has to read source to configure the stack.

/** Read by CI and the tests' own tooling only; documented, not for the template. */
const NOT_FOR_THE_TEMPLATE = new Set(["AGENTLLM_E2E_REPORT", "AGENTLLM_OPEN_WEBUI"]);
const NAMES =
  /\b(AGENTLLM_[A-Z0-9_]*[A-Z0-9]|GEMINI_API_KEY|GOOGLE_API_KEY|GOOGLE_GEMINI_BASE_URL|LITELLM_MASTER_KEY|DATABASE_URL)\b/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (["node_modules", "dist", ".venv", "__pycache__", "template"].includes(name)) return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    const source = /\.(ts|py)$/.test(name) && !/\.test\.ts$|\.case\.ts$|^test_/.test(name);
    return source ? [full] : [];
  });
}

/** Every variable name the product's code, the justfile and CI read. */
function variablesRead(): Set<string> {
  const files = [
    ...readdirSync(path.join(repoRoot, "packages")).flatMap((pkg) => {
      const src = path.join(repoRoot, "packages", pkg, "src");
      return statSync(src, { throwIfNoEntry: false })?.isDirectory() ? sourceFiles(src) : [];
    }),
    ...sourceFiles(path.join(repoRoot, "bridge/src")),
    ...sourceFiles(path.join(repoRoot, "scripts")),
    path.join(repoRoot, "justfile"),
    path.join(repoRoot, ".ci/run"),
  ];
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(NAMES)) names.add(match[1] as string);
    // The proxy's limits are read as PREFIX + name (bridge/src/agentllm_bridge/proxy_settings.py).
    for (const match of text.matchAll(/_(?:int|seconds)\(env, "([A-Z_]+)"/g)) {
      names.add(`AGENTLLM_PROXY_${match[1]}`);
    }
  }
  names.delete("AGENTLLM_PROXY_"); // the prefix itself
  return names;
}

describe("configuration documentation", () => {
  const read = [...variablesRead()].sort();
  const docs = readFileSync(path.join(repoRoot, "docs/configuration.md"), "utf8");
  const template = readFileSync(path.join(repoRoot, ".env.secrets.template"), "utf8");

  it("finds the variables the code reads", () => {
    expect(read).toEqual(
      expect.arrayContaining(["AGENTLLM_RUNTIME_TOKEN", "AGENTLLM_PROXY_MAX_BODY_BYTES"]),
    );
  });

  it("documents every one of them in docs/configuration.md", () => {
    expect(read.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });

  it("lists every one an operator sets in .env.secrets.template", () => {
    const missing = read.filter(
      (name) => !NOT_FOR_THE_TEMPLATE.has(name) && !new RegExp(`^#? ?${name}=`, "m").test(template),
    );
    expect(missing).toEqual([]);
  });
});
