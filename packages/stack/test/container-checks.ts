import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../src/repo-paths.ts";
import type { ComposeConfig, ComposeService } from "./compose-config.ts";
import { type Containerfile, copies, runs } from "./containerfile.ts";

// The static checks of the container files (containers.test.ts). Each returns the problems it
// found as sentences naming the service and what is wrong, so a failing test says what to fix,
// and so the test can show each check catching a broken copy.

/** What every Debian-based image of a family has on its PATH. */
const BASE_EXECUTABLES: Readonly<Record<string, readonly string[]>> = {
  node: ["node", "npm", "npx", "sh"],
  python: ["python", "python3", "pip", "sh"],
};

/**
 * What the images we run but do not build have on their PATH (from their own Dockerfiles): Open
 * WebUI's is built on python:3.11-slim, Postgres's ships its client tools.
 */
const PULLED_IMAGE_EXECUTABLES: Readonly<Record<string, readonly string[]>> = {
  "open-webui": ["python", "python3", "curl", "sh", "bash"],
  postgres: ["pg_isready", "psql", "postgres", "sh", "bash"],
};

/** `docker.io/library/node:20-bookworm-slim` → `node`. */
export function imageFamily(image: string): string {
  const name = image.split("/").at(-1) ?? image;
  return name.split(/[:@]/)[0] as string;
}

/** The executables a build target has on its PATH: its base image's, and what it copies or links in. */
export function executablesOf(file: Containerfile, target: string): Set<string> {
  const found = new Set(BASE_EXECUTABLES[imageFamily(file.baseImage(target))] ?? []);
  for (const stage of file.chain(target)) {
    for (const copy of copies(stage)) {
      if (!copy.dest.startsWith("/usr/local/bin/")) continue;
      const named = copy.dest.endsWith("/") ? copy.sources[0] : copy.dest;
      if (named) found.add(path.posix.basename(named));
    }
    for (const run of runs(stage)) {
      for (const match of run.matchAll(/ln -s\S* \S+ \/usr\/local\/bin\/(\S+)/g))
        found.add(match[1] as string);
    }
  }
  return found;
}

interface ImageFile {
  /** Absolute path in the image (a folder when it ends with "/"). */
  readonly dest: string;
  /** Repository path it is copied from; undefined when compiled by the build (`tsc -b`). */
  readonly source: string | undefined;
}

/** What a target's final image holds from the repository: its COPY instructions, resolved. */
function imageFiles(file: Containerfile, target: string): ImageFile[] {
  const files: ImageFile[] = [];
  for (const stage of file.chain(target)) {
    let dir = "/";
    for (const instruction of stage.instructions) {
      if (instruction.keyword === "WORKDIR") dir = path.posix.resolve(dir, instruction.args);
      if (instruction.keyword !== "COPY") continue;
      const [copy] = copies({ ...stage, instructions: [instruction] });
      if (!copy) continue;
      const dest = path.posix.resolve(dir, copy.dest) + (copy.dest.endsWith("/") ? "/" : "");
      if (copy.from) {
        const compiles = file
          .reachable(copy.from)
          .some((built) => runs(built).some((run) => /\btsc -b\b/.test(run)));
        if (compiles) files.push({ dest, source: undefined });
        continue;
      }
      for (const source of copy.sources) {
        const into = dest.endsWith("/") && !source.endsWith("/");
        files.push({ dest: into ? dest + path.posix.basename(source) : dest, source });
      }
    }
  }
  return files;
}

const BUILD_CONFIG = path.join(repoRoot, "tsconfig.build.json");

/** Why `absolute` (a path in the image) is missing, or undefined when the image or a mount has it. */
function missingFile(
  file: Containerfile,
  target: string,
  service: ComposeService,
  composeDir: string,
  absolute: string,
): string | undefined {
  for (const volume of service.volumes ?? []) {
    if (volume.type !== "bind" || !volume.source) continue;
    if (absolute !== volume.target && !absolute.startsWith(`${volume.target}/`)) continue;
    const source = path.join(
      path.relative(composeDir, volume.source),
      absolute.slice(volume.target.length),
    );
    return existsSync(path.join(repoRoot, source))
      ? undefined
      : `is mounted from ${source}, which does not exist`;
  }
  for (const entry of imageFiles(file, target).reverse()) {
    const folder = entry.dest.endsWith("/");
    if (folder ? !absolute.startsWith(entry.dest) : absolute !== entry.dest) continue;
    if (entry.source === undefined) {
      const compiled = /\/packages\/([^/]+)\/dist\/(.+)\.js$/.exec(absolute);
      if (!compiled) continue;
      const [, pkg, file_] = compiled;
      const source = `packages/${pkg}/src/${file_}.ts`;
      if (!existsSync(path.join(repoRoot, source)))
        return `is compiled from ${source}, which does not exist`;
      const built = readFileSync(BUILD_CONFIG, "utf8").includes(
        `"packages/${pkg}/tsconfig.build.json"`,
      );
      return built
        ? undefined
        : `needs packages/${pkg} in tsconfig.build.json's references (it is not built)`;
    }
    const source = folder ? entry.source + absolute.slice(entry.dest.length) : entry.source;
    return existsSync(path.join(repoRoot, source))
      ? undefined
      : `is copied from ${source}, which does not exist`;
  }
  return "is neither copied into the image nor mounted";
}

/** Why a `node_modules/.bin/NAME` executable is missing from the target, or undefined. */
function missingNodeBin(file: Containerfile, target: string, name: string): string | undefined {
  const chainRuns = file.reachable(target).flatMap(runs);
  if (!chainRuns.some((run) => /\bnpm ci\b/.test(run)))
    return "no stage of this target runs `npm ci`";
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const pruned = chainRuns.some((run) => /npm prune --omit=dev/.test(run));
  if (manifest.dependencies?.[name]) return undefined;
  if (manifest.devDependencies?.[name]) {
    return pruned ? "is a dev dependency, which this target prunes" : undefined;
  }
  return "is not a dependency in package.json";
}

/** Why `python -m MODULE` cannot run in the target, or undefined. */
function missingModule(file: Containerfile, target: string, module: string): string | undefined {
  const base = path.join(repoRoot, "bridge/src", ...module.split("."));
  if (!existsSync(`${base}.py`) && !existsSync(path.join(base, "__init__.py"))) {
    return `is not a module in bridge/src`;
  }
  const installs = file
    .reachable(target)
    .some(
      (stage) =>
        copies(stage).some((copy) => copy.sources.includes("bridge/src")) &&
        runs(stage).some((run) => /pip install\b.*\.\/bridge\b/.test(run)),
    );
  return installs
    ? undefined
    : "is not installed by this target (no stage copies bridge/src and installs ./bridge)";
}

const PATH_LIKE = /^(\/|[\w@.-]+\/)[\w@./-]*$/;

/** Problems with one command (exec form) a service runs in its build target. */
export function commandProblems(
  file: Containerfile,
  target: string,
  service: ComposeService,
  composeDir: string,
  argv: readonly string[],
  where: string,
): string[] {
  const split = argv.indexOf("--");
  if (split > 0) {
    return [
      ...commandProblems(file, target, service, composeDir, argv.slice(0, split), where),
      ...commandProblems(file, target, service, composeDir, argv.slice(split + 1), where),
    ];
  }
  const [executable, ...args] = argv;
  if (!executable) return [`${where}: empty command`];
  const problems: string[] = [];
  const workdir = file.workdir(target);
  if (executable.includes("/")) {
    const bin = /^node_modules\/\.bin\/([\w@.-]+)$/.exec(executable);
    const why = bin
      ? missingNodeBin(file, target, bin[1] as string)
      : missingFile(file, target, service, composeDir, path.posix.resolve(workdir, executable));
    if (why) problems.push(`${where}: ${executable} ${why}`);
  } else if (!executablesOf(file, target).has(executable)) {
    problems.push(`${where}: ${executable} is not installed in build target ${target}`);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "-e" || arg === "-c") {
      i++; // inline code, not a path
      continue;
    }
    if (arg === "-m") {
      const module = args[++i] ?? "";
      const why = missingModule(file, target, module);
      if (why) problems.push(`${where}: module ${module} ${why}`);
      continue;
    }
    if (arg.startsWith("-") || arg.includes("://") || !PATH_LIKE.test(arg)) continue;
    const why = missingFile(file, target, service, composeDir, path.posix.resolve(workdir, arg));
    if (why) problems.push(`${where}: ${arg} ${why}`);
  }
  return problems;
}

/** The exec-form command of a healthcheck test (`["CMD", ...]`), or its first word for CMD-SHELL. */
function healthcheckArgv(test: readonly string[]): string[] {
  const [kind, ...rest] = test;
  if (kind === "CMD-SHELL") return (rest[0] ?? "").split(/\s+/).slice(0, 1);
  return kind === "CMD" ? [...rest] : [...test];
}

/** Every command each built service runs (command and healthcheck, compose's or the image's). */
export function composeCommandProblems(
  file: Containerfile,
  config: ComposeConfig,
  composeDir: string,
): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(config.services)) {
    const target = service.build?.target;
    if (!target) {
      problems.push(...pulledImageProblems(name, service));
      continue;
    }
    const command = service.command ?? file.lastExec(target, "CMD");
    if (!command)
      problems.push(`${name}: no command (none in compose, no CMD in target ${target})`);
    else
      problems.push(
        ...commandProblems(file, target, service, composeDir, command, `${name} command`),
      );
    const health = service.healthcheck?.test ?? file.lastExec(target, "HEALTHCHECK")?.slice(0);
    if (!health) problems.push(`${name}: no healthcheck`);
    else
      problems.push(
        ...commandProblems(
          file,
          target,
          service,
          composeDir,
          healthcheckArgv(health),
          `${name} healthcheck`,
        ),
      );
  }
  return problems;
}

/** A service on an image we pull: the executables its command and healthcheck start. */
function pulledImageProblems(name: string, service: ComposeService): string[] {
  const family = imageFamily(service.image ?? "");
  const known = PULLED_IMAGE_EXECUTABLES[family];
  if (!known)
    return [`${name}: no list of what image ${service.image} provides (PULLED_IMAGE_EXECUTABLES)`];
  const commands = [service.command ?? [], healthcheckArgv(service.healthcheck?.test ?? [])];
  return commands
    .map((argv) => argv[0])
    .filter((executable): executable is string => !!executable && !known.includes(executable))
    .map((executable) => `${name}: ${executable} is not in image ${service.image}`);
}

/** The image's own HEALTHCHECK and CMD of a final target, as `podman run` would use them. */
export function imageCommandProblems(file: Containerfile, target: string): string[] {
  const bare: ComposeService = {};
  const problems: string[] = [];
  for (const keyword of ["CMD", "HEALTHCHECK"] as const) {
    const argv = file.lastExec(target, keyword);
    if (!argv) problems.push(`target ${target}: no ${keyword}`);
    else
      problems.push(
        ...commandProblems(
          file,
          target,
          bare,
          repoRoot,
          healthcheckArgv(keyword === "CMD" ? ["CMD", ...argv] : argv),
          `target ${target} ${keyword}`,
        ),
      );
  }
  return problems;
}

export interface PortRow {
  readonly port: number;
  readonly service: string;
  /** The container port, when the row is published. */
  readonly containerPort: number | undefined;
  readonly published: boolean;
}

/**
 * The "Ports" table of docs/architecture.md's Containers section:
 * `| 9500 | \`open-webui\` | 8080 | yes |`. The one list of ports docs and compose share.
 */
export function parsePortTable(markdown: string): PortRow[] {
  const section = markdown.split(/^### Ports in compose$/m)[1]?.split(/^#/m)[0] ?? "";
  const rows: PortRow[] = [];
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const port = Number(cells[1]);
    if (!line.startsWith("|") || !Number.isInteger(port) || port === 0) continue;
    const service = /`([\w-]+)`/.exec(cells[2] ?? "")?.[1] ?? "";
    const containerPort = Number(cells[3]);
    rows.push({
      port,
      service,
      containerPort:
        Number.isInteger(containerPort) && containerPort > 0 ? containerPort : undefined,
      published: /^yes\b/.test(cells[4] ?? ""),
    });
  }
  return rows;
}

/** Published ports in compose against the docs' table: the same pairs, nothing else published. */
export function portProblems(config: ComposeConfig, rows: readonly PortRow[]): string[] {
  if (rows.length === 0) return ["docs/architecture.md has no Ports in compose table"];
  const expected = rows
    .filter((row) => row.published)
    .map((row) => `${row.service} ${row.port}->${row.containerPort}`)
    .sort();
  const actual = Object.entries(config.services)
    .flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => `${name} ${port.published}->${port.target}`),
    )
    .sort();
  const problems: string[] = [];
  for (const pair of actual)
    if (!expected.includes(pair))
      problems.push(`compose publishes ${pair}, which the ports table does not list as published`);
  for (const pair of expected)
    if (!actual.includes(pair))
      problems.push(`the ports table publishes ${pair}, compose does not`);
  return problems;
}

/** Each variable `needed` must reach `service` through its `environment:`. */
export function missingVariables(
  config: ComposeConfig,
  service: string,
  needed: Iterable<string>,
): string[] {
  const environment = config.services[service]?.environment ?? {};
  return [...needed]
    .filter((name) => !(name in environment))
    .map((name) => `${service} reads ${name}, but compose does not pass it`);
}

/** Names a service must never be given (another service's secrets). */
export function leakedVariables(
  config: ComposeConfig,
  service: string,
  forbidden: readonly RegExp[],
): string[] {
  const environment = config.services[service]?.environment ?? {};
  return Object.keys(environment)
    .filter((name) => forbidden.some((pattern) => pattern.test(name)))
    .map((name) => `${service} is given ${name}, which it must not see`);
}

/** Variables that must be documented: each named in docs (as `NAME`) and in the template. */
export function undocumentedVariables(
  names: Iterable<string>,
  docs: string,
  template: string,
): string[] {
  const problems: string[] = [];
  for (const name of names) {
    if (!docs.includes(`\`${name}\``)) problems.push(`${name} is not in docs/configuration.md`);
    if (!new RegExp(`^#? ?${name}=`, "m").test(template))
      problems.push(`${name} is not in .env.secrets.template`);
  }
  return problems;
}
