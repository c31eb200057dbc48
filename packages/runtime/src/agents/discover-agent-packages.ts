import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";

/** The manifest field that marks a package as an agent: `"agentllm": { "agent": "./src/agent.ts" }`. */
const manifestSchema = z.object({
  name: z.string(),
  agentllm: z.object({ agent: z.string().min(1) }),
});

export interface AgentPackage {
  readonly packageName: string;
  readonly packageDir: string;
  /** Absolute path of the module whose default export is the agent definition. */
  readonly entry: string;
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
        entry: path.resolve(packageDir, manifest.agentllm.agent),
      });
    }
  }
  return [...found.values()];
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
