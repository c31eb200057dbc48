import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assignedValues, GENERATED } from "../../../scripts/secrets/secrets-file.ts";
import { repoRoot } from "../src/repo-paths.ts";

// `npx just secrets` on a fresh clone: .env.secrets from the real template, fresh keys, mode 600,
// never overwriting a file that exists. Runs the recipe's script on temp files.

const run = promisify(execFile);
const template = path.join(repoRoot, ".env.secrets.template");

function secrets(...args: string[]) {
  return run(
    process.execPath,
    ["--import", "tsx", "scripts/secrets.ts", "--template", template, ...args],
    {
      cwd: repoRoot,
    },
  );
}

describe("just secrets", () => {
  let dir: string;
  let out: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-secrets-"));
    out = path.join(dir, ".env.secrets");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("has an empty line in the template for each key it generates, and nothing else empty but the Gemini key", () => {
    const values = assignedValues(readFileSync(template, "utf8"));
    expect([...values.keys()].sort()).toEqual([...Object.keys(GENERATED), "GEMINI_API_KEY"].sort());
    expect([...values.values()].every((value) => value === "")).toBe(true);
  });

  it("writes the template with fresh keys, readable by its owner only", async () => {
    const { stdout } = await secrets("--out", out);
    expect(stdout).toContain("GEMINI_API_KEY");
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const values = assignedValues(readFileSync(out, "utf8"));
    expect(values.get("GEMINI_API_KEY")).toBe("");
    expect(values.get("LITELLM_MASTER_KEY")).toMatch(/^sk-[A-Za-z0-9_-]{32}$/);
    // HS256 keys shorter than 32 bytes are refused by the bridge.
    expect(
      Buffer.byteLength(values.get("AGENTLLM_IDENTITY_JWT_SECRET") ?? ""),
    ).toBeGreaterThanOrEqual(32);
    expect(values.get("AGENTLLM_RUNTIME_TOKEN")?.length).toBeGreaterThanOrEqual(16);
    expect(values.get("LITELLM_DB_PASSWORD")).toMatch(/^[0-9a-f]{48}$/);
    // Comments and defaults of the template survive.
    expect(readFileSync(out, "utf8")).toContain("# AGENTLLM_MAX_STEPS=10");
    // compose fills compose.yaml's ${...} from .env: the same file, through a link.
    expect(readlinkSync(path.join(dir, ".env"))).toBe(".env.secrets");

    const other = path.join(dir, "second");
    await secrets("--out", other);
    const again = assignedValues(readFileSync(other, "utf8"));
    for (const name of Object.keys(GENERATED)) expect(again.get(name)).not.toBe(values.get(name));
  });

  it("never overwrites an existing file, nor an .env of the user's", async () => {
    writeFileSync(out, "GEMINI_API_KEY=mine\nLITELLM_MASTER_KEY=sk-mine\n", { mode: 0o600 });
    writeFileSync(path.join(dir, ".env"), "MINE=1\n");
    const { stdout } = await secrets("--out", out);
    expect(stdout).toContain("left as it is");
    expect(stdout).toContain("--add-missing");
    expect(stdout).toContain("--env-file .env.secrets");
    expect(readFileSync(out, "utf8")).toBe("GEMINI_API_KEY=mine\nLITELLM_MASTER_KEY=sk-mine\n");
    expect(readFileSync(path.join(dir, ".env"), "utf8")).toBe("MINE=1\n");
  });

  it("--add-missing adds only the generated keys a file lacks or leaves empty", async () => {
    writeFileSync(out, "GEMINI_API_KEY=mine\nLITELLM_MASTER_KEY=sk-mine\nWEBUI_SECRET_KEY=\n", {
      mode: 0o644,
    });
    const { stdout } = await secrets("--out", out, "--add-missing");
    const values = assignedValues(readFileSync(out, "utf8"));
    expect(values.get("GEMINI_API_KEY")).toBe("mine");
    expect(values.get("LITELLM_MASTER_KEY")).toBe("sk-mine");
    for (const name of Object.keys(GENERATED)) expect(values.get(name)).toBeTruthy();
    expect(stdout).not.toContain("LITELLM_MASTER_KEY");
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const before = readFileSync(out, "utf8");
    expect((await secrets("--out", out, "--add-missing")).stdout).toContain(
      "has every generated key",
    );
    expect(readFileSync(out, "utf8")).toBe(before);
  });
});
