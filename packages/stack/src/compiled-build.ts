import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { paths, repoRoot } from "./repo-paths.ts";

const run = promisify(execFile);

/** The compiled runtime (or a package it loads) is missing or older than its sources. */
export class StaleBuildError extends Error {
  override readonly name = "StaleBuildError";
  constructor(readonly project: string) {
    super(
      `The compiled runtime is missing or older than its sources (${project}); run \`npx just build\` first.`,
    );
  }
}

/**
 * The first project of the build (`tsconfig.build.json` and its references) whose output is
 * missing or older than its inputs, or undefined when all are up to date. It asks TypeScript's
 * own `tsc -b` bookkeeping (sources, configs, `dist/.tsbuildinfo`), in a child process so the
 * caller does not keep the compiler's ~70 MB loaded for the life of the stack.
 */
export async function staleBuildProject(
  config: string = paths.buildConfig,
): Promise<string | undefined> {
  const script = `
const ts = require("typescript");
const quiet = () => {};
const host = ts.createSolutionBuilderHost(ts.sys, undefined, quiet, quiet, quiet);
const next = ts.createSolutionBuilder(host, [process.argv[1]], {}).getNextInvalidatedProject();
process.stdout.write(JSON.stringify({ stale: next ? next.project : null }));`;
  const { stdout } = await run(process.execPath, ["--eval", script, config], { cwd: repoRoot });
  const { stale } = JSON.parse(stdout) as { stale: string | null };
  return stale ?? undefined;
}

/** Throws `StaleBuildError` unless `npx just build` output is there and current. */
export async function assertBuildFresh(config: string = paths.buildConfig): Promise<void> {
  const stale = await staleBuildProject(config);
  if (stale) throw new StaleBuildError(stale);
}

/**
 * What `npx just build` runs: `tsc -b` over the build config (incremental: a second run with
 * nothing changed takes a fraction of a second). Rejects with tsc's output when it fails.
 */
export async function buildCompiled(config: string = paths.buildConfig): Promise<void> {
  await run(process.execPath, [paths.tsc, "-b", config], { cwd: repoRoot }).catch(
    (error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(
        `tsc -b ${config} failed:\n${error.stdout ?? ""}${error.stderr ?? error.message}`,
      );
    },
  );
}
