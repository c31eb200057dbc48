import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { z } from "zod";
import { InvalidAgentPackageError } from "../errors/invalid-agent-package-error.ts";

/**
 * The manifest field that marks a package as an agent: `"agentllm": { "agent": "./agent" }`,
 * naming a subpath of the package's own `exports` (or, for simple packages, a file).
 */
const manifestSchema = z.object({
  name: z.string(),
  exports: z.unknown().optional(),
  agentllm: z.object({ agent: z.string().min(1) }),
});

export interface AgentPackage {
  readonly packageName: string;
  readonly packageDir: string;
  /**
   * `agentllm.agent` as written: a subpath of the package's `exports` such as `"./agent"`
   * (resolved under the conditions Node runs with, so `--conditions=production` picks the
   * compiled file), or a file path relative to the package such as `"./src/agent.ts"`.
   */
  readonly agent: string;
  /** Whether the manifest has an `exports` field; only then is `agent` looked up in it. */
  readonly hasExports: boolean;
}

/**
 * Every `node_modules` folder from `cwd` up to the file system root, the way Node resolves
 * packages: an agent installed anywhere the runtime could import it from is found.
 */
export function nodeModulesAbove(cwd: string): string[] {
  const dirs: string[] = [];
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== "node_modules") dirs.push(path.join(dir, "node_modules"));
    if (path.dirname(dir) === dir) return dirs;
  }
}

/**
 * Finds agent packages by their manifests, so adding an agent is `npm install` and never an
 * edit to the runtime. `dirs` are package folders' parents (node_modules or a plugins folder).
 * The first package of a name wins, as in Node's own resolution.
 */
export async function discoverAgentPackages(dirs: readonly string[]): Promise<AgentPackage[]> {
  const found = new Map<string, AgentPackage>();
  for (const dir of dirs) {
    for (const packageDir of await packageDirsIn(dir)) {
      const manifest = await readManifest(packageDir);
      if (!manifest || found.has(manifest.name)) continue;
      found.set(manifest.name, {
        packageName: manifest.name,
        packageDir,
        agent: manifest.agentllm.agent,
        hasExports: manifest.exports !== undefined,
      });
    }
  }
  return [...found.values()];
}

/**
 * The absolute path of the module whose default export is the agent.
 *
 * `"./agent"` (or `"."`) in a package with `exports` goes through Node's own resolver as the
 * package importing itself by name, so the conditions the runtime was started with apply: under
 * `node --conditions=production` a `"production"` target (compiled JavaScript) wins, otherwise
 * `"default"` (TypeScript sources, run by tsx). Node's CommonJS resolver does this lookup, so
 * an `"import"`-only target is not seen; `"default"` is. A subpath the package does not export,
 * or a package without `exports`, names a file relative to the package, as in older manifests.
 */
export function resolveAgentEntry(pkg: AgentPackage): string {
  const { agent, packageDir } = pkg;
  let notExported: Error | undefined;
  if (pkg.hasExports && (agent === "." || agent.startsWith("./"))) {
    const specifier = agent === "." ? pkg.packageName : `${pkg.packageName}${agent.slice(1)}`;
    try {
      return createRequire(path.join(packageDir, "package.json")).resolve(specifier);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") {
        const hint =
          code === "MODULE_NOT_FOUND"
            ? " (is the package built? A compiled runtime loads the package's `production` export)"
            : "";
        throw new InvalidAgentPackageError(
          packageDir,
          `cannot resolve agentllm.agent "${agent}" through the package's exports: ${firstLine(error)}${hint}`,
        );
      }
      notExported = error as Error;
    }
  }
  const file = path.resolve(packageDir, agent);
  if (notExported && !existsSync(file)) {
    throw new InvalidAgentPackageError(
      packageDir,
      `agentllm.agent "${agent}" is neither exported by the package under the conditions this runtime runs with nor a file in it (${firstLine(notExported)})`,
    );
  }
  return file;
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split("\n")[0] ?? "";
}

async function packageDirsIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const result: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
    if (entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith("@")) {
      const scoped = await readdir(full, { withFileTypes: true }).catch(() => []);
      for (const inner of scoped) result.push(path.join(full, inner.name));
    } else {
      result.push(full);
    }
  }
  return result;
}

async function readManifest(packageDir: string): Promise<z.infer<typeof manifestSchema> | null> {
  const text = await readFile(path.join(packageDir, "package.json"), "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
