import path from "node:path";

// A reader for our Containerfile, enough for the static checks in containers.test.ts: its stages,
// what each stage's instructions are, and which stages a build target consists of. Not a general
// Dockerfile parser: no heredocs, no escape directive, no ONBUILD.

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ENV, CMD, HEALTHCHECK, ... */
  readonly keyword: string;
  /** The rest of the instruction, continuation lines joined with a space. */
  readonly args: string;
}

export interface Stage {
  readonly name: string;
  /** What FROM names, with global ARG defaults filled in: an image or an earlier stage. */
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

export interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

export class Containerfile {
  readonly stages: readonly Stage[];

  constructor(text: string) {
    this.stages = parseStages(text);
  }

  stage(name: string): Stage {
    const stage = this.stages.find((candidate) => candidate.name === name);
    if (!stage) throw new Error(`Containerfile has no stage named ${name}`);
    return stage;
  }

  /** The stages a target is built on, base first: FROM links back to an image. */
  chain(target: string): Stage[] {
    const chain: Stage[] = [];
    let stage: Stage | undefined = this.stage(target);
    while (stage) {
      chain.unshift(stage);
      const from: string = stage.from;
      stage = this.stages.find((candidate) => candidate.name === from);
    }
    return chain;
  }

  /** The image a target ultimately starts from. */
  baseImage(target: string): string {
    return (this.chain(target)[0] as Stage).from;
  }

  /** The target's chain plus every stage it copies from (recursively), each once. */
  reachable(target: string): Stage[] {
    const seen = new Map<string, Stage>();
    const visit = (name: string) => {
      for (const stage of this.chain(name)) {
        if (seen.has(stage.name)) continue;
        seen.set(stage.name, stage);
        for (const copy of copies(stage)) {
          if (copy.from && this.stages.some((candidate) => candidate.name === copy.from)) {
            visit(copy.from);
          }
        }
      }
    };
    visit(target);
    return [...seen.values()];
  }

  /** The last CMD or HEALTHCHECK's command of a target's chain, as an exec-form array. */
  lastExec(target: string, keyword: "CMD" | "HEALTHCHECK"): string[] | undefined {
    let found: string[] | undefined;
    for (const stage of this.chain(target)) {
      for (const instruction of stage.instructions) {
        if (instruction.keyword !== keyword) continue;
        const json = instruction.args.slice(instruction.args.indexOf("["));
        found = JSON.parse(json) as string[];
      }
    }
    return found;
  }

  /** The working directory a target's command runs in. */
  workdir(target: string): string {
    let dir = "/";
    for (const stage of this.chain(target)) {
      for (const instruction of stage.instructions) {
        if (instruction.keyword === "WORKDIR") dir = path.posix.resolve(dir, instruction.args);
      }
    }
    return dir;
  }
}

export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === "COPY")
    .map((instruction) => {
      const words = instruction.args.split(/\s+/);
      const flags = words.filter((word) => word.startsWith("--"));
      const paths = words.filter((word) => !word.startsWith("--"));
      const from = flags.find((flag) => flag.startsWith("--from="))?.slice("--from=".length);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" };
    });
}

export function runs(stage: Stage): string[] {
  return stage.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
}

function parseStages(text: string): Stage[] {
  const globalArgs = new Map<string, string>();
  const stages: { name: string; from: string; instructions: Instruction[] }[] = [];
  for (const line of logicalLines(text)) {
    const match = /^(\w+)\s*(.*)$/s.exec(line);
    if (!match) continue;
    const keyword = (match[1] as string).toUpperCase();
    const args = (match[2] as string).trim();
    if (keyword === "ARG" && stages.length === 0) {
      const [name, value = ""] = args.split("=", 2);
      globalArgs.set(name as string, value);
      continue;
    }
    if (keyword === "FROM") {
      const [image = "", as, name] = args.split(/\s+/);
      const from = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => globalArgs.get(a ?? b) ?? "");
      const stageName = as?.toUpperCase() === "AS" && name ? name : String(stages.length);
      stages.push({ name: stageName, from, instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({ keyword, args });
  }
  return stages;
}

/** Instructions one per entry: comments dropped, `\` continuations joined. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    if (/^\s*#/.test(raw)) continue;
    const continued = /\\\s*$/.test(raw);
    current += `${raw.replace(/\\\s*$/, "").trim()} `;
    if (!continued) {
      if (current.trim()) lines.push(current.trim());
      current = "";
    }
  }
  if (current.trim()) lines.push(current.trim());
  return lines;
}
