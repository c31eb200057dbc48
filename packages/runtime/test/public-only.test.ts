import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type RunningRuntime, startRuntime } from "../src/start-runtime.ts";
import { REPO_ROOT, TOKEN_ENCRYPTION_KEY } from "./runtime-harness.ts";

// `just oauth-callback`: the connect pages and OAuth callbacks served by a process of their own,
// on the same database and key as the runtime, with neither the internal API nor a Gemini key.

describe("the public listener alone (--public-only)", () => {
  let dataDir: string;
  let alone: RunningRuntime;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-public-only-"));
    const config = loadConfig(
      {
        AGENTLLM_DATA_DIR: dataDir,
        AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY,
        AGENTLLM_PUBLIC_PORT: "0",
        AGENTLLM_RUNTIME_PORT: "0",
        AGENTLLM_LOG_LEVEL: "silent",
      },
      REPO_ROOT,
      { role: "public" },
    );
    alone = await startRuntime(config, {
      logger: createLogger("silent"),
      cwd: REPO_ROOT,
      publicOnly: true,
    });
  });

  afterAll(async () => {
    await alone?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("needs neither the runtime token nor a Gemini key, and serves only the public pages", async () => {
    expect(alone.url).toBe(alone.publicUrl);
    expect((await fetch(`${alone.publicUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${alone.publicUrl}/v1/models`)).status).toBe(404);
  });

  it("the full runtime still requires both", () => {
    expect(() => loadConfig({ AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY })).toThrow(
      /AGENTLLM_RUNTIME_TOKEN is required[\s\S]*GEMINI_API_KEY is required/,
    );
  });

  it("runs as `main.ts --public-only` and refuses without the vault key, naming it", async () => {
    const run = (env: Record<string, string>, extraArgs: string[] = []) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "packages/runtime/src/main.ts", "--public-only", ...extraArgs],
          {
            cwd: REPO_ROOT,
            env: { PATH: process.env.PATH ?? "", AGENTLLM_DATA_DIR: dataDir, ...env },
          },
        );
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on("exit", (code) => resolve({ code, stderr }));
      });
    const refused = await run({});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("AGENTLLM_TOKEN_ENCRYPTION_KEY is required");
    expect(refused.stderr).not.toContain("GEMINI_API_KEY");
    const unknown = await run({ AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY }, ["--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown argument --bogus");
  }, 30_000);
});
