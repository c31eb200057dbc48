import { execFile } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignedValues } from "../../../scripts/secrets/secrets-file.ts";
import { repoRoot } from "../src/repo-paths.ts";
import { type ComposeConfig, composeBinary } from "./compose-config.ts";

// The README's quick start as a user types it: `npx just secrets`, then a plain
// `podman compose up -d` (or `docker compose up -d`), no --env-file. compose fills compose.yaml's
// ${...} from .env, which `just secrets` links to .env.secrets. Both real implementations must
// resolve the files from that link to the generated keys; no engine runs here, so `config`.

const run = promisify(execFile);
const venvBin = path.join(repoRoot, "bridge/.venv/bin");

describe("the quick start's compose files, as a user has them after `just secrets`", () => {
  let dir: string;
  let secrets: Map<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-quick-start-"));
    for (const file of ["compose.yaml", "compose.dev.yaml"]) {
      copyFileSync(path.join(repoRoot, file), path.join(dir, file));
    }
    await run(
      process.execPath,
      ["--import", "tsx", "scripts/secrets.ts", "--out", path.join(dir, ".env.secrets")],
      {
        cwd: repoRoot,
      },
    );
    secrets = assignedValues(readFileSync(path.join(dir, ".env.secrets"), "utf8"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function expectWiredFromSecrets(config: ComposeConfig): void {
    const env = (service: string) => config.services[service]?.environment ?? {};
    expect(env("open-webui").OPENAI_API_KEYS).toBe(secrets.get("LITELLM_MASTER_KEY"));
    expect(env("litellm-proxy").LITELLM_MASTER_KEY).toBe(secrets.get("LITELLM_MASTER_KEY"));
    // Signed identity on both sides, with one secret.
    expect(env("open-webui").FORWARD_USER_INFO_HEADER_JWT_SECRET).toBe(
      secrets.get("AGENTLLM_IDENTITY_JWT_SECRET"),
    );
    expect(env("litellm-proxy").AGENTLLM_IDENTITY_JWT_SECRET).toBe(
      secrets.get("AGENTLLM_IDENTITY_JWT_SECRET"),
    );
    expect(env("runtime").AGENTLLM_RUNTIME_TOKEN).toBe(secrets.get("AGENTLLM_RUNTIME_TOKEN"));
    expect(env("litellm-proxy").AGENTLLM_RUNTIME_TOKEN).toBe(secrets.get("AGENTLLM_RUNTIME_TOKEN"));
    expect(env("litellm-proxy").DATABASE_URL).toContain(
      `:${secrets.get("LITELLM_DB_PASSWORD")}@litellm-db:5432/`,
    );
    expect(env("litellm-db").POSTGRES_PASSWORD).toBe(secrets.get("LITELLM_DB_PASSWORD"));
    expect(env("open-webui").WEBUI_SECRET_KEY).toBe(secrets.get("WEBUI_SECRET_KEY"));
  }

  it("docker compose resolves them from the .env link", async () => {
    for (const files of [["compose.yaml"], ["compose.yaml", "compose.dev.yaml"]]) {
      const { stdout } = await run(
        composeBinary(),
        [...files.flatMap((file) => ["-f", file]), "config", "--format", "json"],
        { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir } },
      );
      const config = JSON.parse(stdout) as ComposeConfig;
      expectWiredFromSecrets(config);
      // Room for the runtime's drain (AGENTLLM_DRAIN_SECONDS, 25 s) before compose's SIGKILL.
      const runtime = config.services.runtime as { stop_grace_period?: string } | undefined;
      expect(runtime?.stop_grace_period).toBe("35s");
    }
  });

  it("podman compose's usual provider, podman-compose, resolves them the same way", async () => {
    // podman-compose asks `podman version` before it parses anything; nothing else is run by
    // `config`, so a shim answering that one question stands in for the engine.
    const shims = path.join(dir, "shims");
    mkdirSync(shims);
    writeFileSync(path.join(shims, "podman"), '#!/bin/sh\necho "podman version 5.4.0"\n');
    chmodSync(path.join(shims, "podman"), 0o755);
    for (const files of [["compose.yaml"], ["compose.yaml", "compose.dev.yaml"]]) {
      const { stdout: yaml } = await run(
        path.join(venvBin, "podman-compose"),
        [...files.flatMap((file) => ["-f", file]), "config"],
        { cwd: dir, env: { PATH: `${shims}:/usr/bin:/bin`, HOME: dir } },
      );
      const json = await new Promise<string>((resolve, reject) => {
        const child = execFile(
          path.join(venvBin, "python"),
          ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"],
          (error, stdout) => (error ? reject(error) : resolve(stdout)),
        );
        child.stdin?.end(yaml);
      });
      const config = JSON.parse(json) as ComposeConfig;
      expect(Object.keys(config.services).sort()).toEqual([
        "litellm-db",
        "litellm-proxy",
        "open-webui",
        "runtime",
      ]);
      expectWiredFromSecrets(config);
    }
  });

  it("without the link, both say which secret is missing and what to run", async () => {
    const bare = mkdtempSync(path.join(os.tmpdir(), "agentllm-quick-start-bare-"));
    try {
      copyFileSync(path.join(repoRoot, "compose.yaml"), path.join(bare, "compose.yaml"));
      await expect(
        run(composeBinary(), ["-f", "compose.yaml", "config", "--quiet"], {
          cwd: bare,
          env: { PATH: process.env.PATH ?? "", HOME: bare },
        }),
      ).rejects.toMatchObject({
        stderr: expect.stringMatching(/is not set: run `npx just secrets` first/),
      });
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
