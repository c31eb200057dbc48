import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertBuildFresh,
  buildCompiled,
  StaleBuildError,
  staleBuildProject,
} from "../src/compiled-build.ts";

// The freshness check behind `startStack({ runtime: "compiled" })`, on a one-file project of
// its own so the test never touches the repository's sources or dist.
let dir: string;
let config: string;
let source: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-build-"));
  config = path.join(dir, "tsconfig.json");
  source = path.join(dir, "src", "main.ts");
  mkdirSync(path.dirname(source));
  writeFileSync(source, "export const answer: number = 42;\n");
  writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: {
        module: "NodeNext",
        rootDir: "src",
        outDir: "dist",
        incremental: true,
        tsBuildInfoFile: "dist/.tsbuildinfo",
        types: [],
      },
      include: ["src"],
    }),
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("the compiled build's freshness", () => {
  it("is missing before the first build", async () => {
    expect(await staleBuildProject(config)).toBe(config);
    const error = await assertBuildFresh(config).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StaleBuildError);
    expect((error as Error).message).toContain("run `npx just build` first");
    expect((error as Error).message).toContain(config);
  });

  it("is fresh after a build, and stale again once a source changes", async () => {
    await buildCompiled(config);
    expect(await staleBuildProject(config)).toBeUndefined();
    await expect(assertBuildFresh(config)).resolves.toBeUndefined();

    // Back-date the build so the edit is newer whatever the file system's time resolution.
    const earlier = new Date(Date.now() - 10_000);
    utimesSync(path.join(dir, "dist", ".tsbuildinfo"), earlier, earlier);
    writeFileSync(source, "export const answer: number = 43;\n");
    expect(await staleBuildProject(config)).toBe(config);

    await buildCompiled(config);
    expect(await staleBuildProject(config)).toBeUndefined();
  }, 60_000);

  it("reports a build that fails with tsc's output", async () => {
    const broken = path.join(dir, "missing-tsconfig.json");
    await expect(buildCompiled(broken)).rejects.toThrow(/tsc -b .*missing-tsconfig\.json failed/);
  });
});
