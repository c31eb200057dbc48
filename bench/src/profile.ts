import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives, shortened: the package (or node: internal) plus the file. */
function place(url: string): string {
  if (url === "") return "(native)";
  const clean = url.replace(/^file:\/\//, "");
  const inModules = clean.lastIndexOf("node_modules/");
  if (inModules !== -1) return clean.slice(inModules + "node_modules/".length);
  const inPackages = clean.indexOf("/packages/");
  if (inPackages !== -1) return clean.slice(inPackages + 1);
  return clean;
}

/** The package a frame belongs to, for a per-package roll-up. */
function owner(url: string): string {
  const where = place(url);
  if (where.startsWith("node:")) return "node (core)";
  if (where === "(native)") return "(native / GC / idle)";
  if (where.startsWith("packages/")) return where.split("/").slice(0, 2).join("/");
  const parts = where.split("/");
  return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? where);
}

/** Top self-time functions and packages of every `.cpuprofile` in `dir` (node --cpu-prof). */
export async function summarizeProfiles(dir: string, top = 25): Promise<string> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(".cpuprofile"));
  if (files.length === 0) return `no CPU profile in ${dir}`;
  const out: string[] = [];
  for (const file of files) {
    const profile = JSON.parse(await readFile(path.join(dir, file), "utf8")) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) => {
      self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    const byFunction = new Map<string, number>();
    const byOwner = new Map<string, number>();
    let total = 0;
    let idle = 0;
    for (const [id, micros] of self) {
      const node = byId.get(id);
      if (!node) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      total += micros;
      if (functionName === "(idle)") {
        idle += micros;
        continue;
      }
      const key = `${functionName || "(anonymous)"} ${place(url)}:${lineNumber + 1}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
      byOwner.set(owner(url), (byOwner.get(owner(url)) ?? 0) + micros);
    }
    const busy = total - idle;
    const pct = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
    out.push(
      `CPU profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (shares below are of busy time)`,
      "  by package:",
      ...[...byOwner.entries()]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 15)
        .map(([name, micros]) => `  ${pct(micros)}  ${name}`),
      "  top self time:",
      ...[...byFunction.entries()]
        .sort((x, y) => y[1] - x[1])
        .slice(0, top)
        .map(([name, micros]) => `  ${pct(micros)}  ${name}`),
    );
  }
  return out.join("\n");
}
