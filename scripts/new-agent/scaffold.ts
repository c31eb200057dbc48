import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const templateDir = fileURLToPath(new URL("./template/", import.meta.url));

/**
 * Names `new-agent` accepts: lower-case words joined by single dashes, starting with a letter,
 * at most 63 characters. A subset of what the runtime accepts, chosen so that the name works as
 * the model `agno/NAME`, the folder `agent-NAME`, the npm package `@agentllm/agent-NAME` and,
 * camel-cased, a TypeScript identifier.
 */
const AGENT_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 63;

/** A name or place `new-agent` refuses; the message says what to do instead. */
export class NewAgentError extends Error {
  override readonly name = "NewAgentError";
}

export function checkAgentName(name: string): void {
  if (name.length > MAX_NAME_LENGTH || !AGENT_NAME.test(name)) {
    throw new NewAgentError(
      `invalid agent name ${JSON.stringify(name)}: use lower-case letters, digits and single dashes, starting with a letter, at most ${MAX_NAME_LENGTH} characters (e.g. "weather" or "release-manager"); it becomes the model agno/NAME and the folder agent-NAME`,
    );
  }
}

/** `release-manager` → `releaseManager`. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_match, char: string) => char.toUpperCase());
}

export interface ScaffoldOptions {
  readonly name: string;
  /** The folder the package folder goes in: the repository's `packages/` by default. */
  readonly parentDir: string;
  readonly repoRoot: string;
}

/**
 * Copies the template to `<parentDir>/agent-<name>`, filling in the name and the path back to
 * the repository (for tsconfig.build.json). Refuses a folder that already exists.
 */
export function scaffoldAgent(options: ScaffoldOptions): string {
  checkAgentName(options.name);
  const packageDir = path.resolve(options.parentDir, `agent-${options.name}`);
  if (existsSync(packageDir)) {
    throw new NewAgentError(
      `${packageDir} already exists: pick another name, or remove that folder first`,
    );
  }
  const root = path.relative(packageDir, options.repoRoot).split(path.sep).join("/") || ".";
  const fill = (text: string) =>
    text
      .replaceAll("__AGENT_NAME__", options.name)
      .replaceAll("__CAMEL_NAME__", camelCase(options.name))
      .replaceAll("__ROOT__", root);
  copyTree(templateDir, packageDir, fill);
  return packageDir;
}

function copyTree(from: string, to: string, fill: (text: string) => string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target, fill);
    else writeFileSync(target, fill(readFileSync(source, "utf8")));
  }
}

/**
 * Lists the package in the root tsconfig.build.json, before the runtime, so `npx just build`
 * compiles it for the compiled runtime. Returns false when the file has no runtime entry to
 * insert before (then the caller says what to add by hand).
 */
export function addBuildReference(repoRoot: string, packageDir: string): boolean {
  const file = path.join(repoRoot, "tsconfig.build.json");
  const text = readFileSync(file, "utf8");
  const reference = `${path.relative(repoRoot, packageDir).split(path.sep).join("/")}/tsconfig.build.json`;
  if (text.includes(`"${reference}"`)) return true;
  const runtimeLine = /^(\s*)\{ "path": "packages\/runtime\/tsconfig\.build\.json" \}/m.exec(text);
  if (!runtimeLine) return false;
  const line = `${runtimeLine[1]}{ "path": "${reference}" },\n`;
  writeFileSync(file, text.slice(0, runtimeLine.index) + line + text.slice(runtimeLine.index));
  return true;
}
