import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/database/index.ts";
import { createLogger } from "../src/logger.ts";
import { startRuntime } from "../src/start-runtime.ts";
import { generateFernetKey } from "../src/vault/fernet.ts";
import { KeyRing } from "../src/vault/key-ring.ts";
import { KyselyCredentialVault } from "../src/vault/kysely-credential-vault.ts";
import { type LogLine, REPO_ROOT, RUNTIME_TOKEN } from "./runtime-harness.ts";

// The runtime opens the vault on its database, says at start what no key decrypts, and hands
// the vault on; its credentials survive a restart and a key rotation.
describe("the credential vault in a running runtime", () => {
  let dataDir: string;
  const key = generateFernetKey();
  const lostKey = generateFernetKey();
  const jira = (token: string) => ({
    kind: "api-token" as const,
    secrets: { token },
    metadata: { serverUrl: "https://jira.example.com" },
  });

  const start = async (keys: string) => {
    const logs: LogLine[] = [];
    const logger = createLogger("info", {
      write: (line: string) => void logs.push(JSON.parse(line) as LogLine),
    });
    const config = loadConfig({
      AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
      AGENTLLM_TOKEN_ENCRYPTION_KEY: keys,
      GEMINI_API_KEY: "k",
      AGENTLLM_RUNTIME_PORT: "0",
      AGENTLLM_DATA_DIR: dataDir,
    });
    return { runtime: await startRuntime(config, { logger, cwd: REPO_ROOT }), logs };
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-vault-start-"));
    const database = await openDatabase({ dataDir });
    await new KyselyCredentialVault(database.db, KeyRing.parse(key)).put(
      "alice",
      "jira",
      jira("a"),
    );
    await new KyselyCredentialVault(database.db, KeyRing.parse(lostKey)).put(
      "bob",
      "jira",
      jira("b"),
    );
    await database.close();
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("warns once at start with the counts per toolkit, and exposes the vault", async () => {
    const { runtime, logs } = await start(key);
    try {
      const warnings = logs.filter((line) => line.level === 40);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ undecryptable: { jira: 1 }, checked: 2, total: 2 });
      expect(JSON.stringify(logs)).not.toContain("bob");
      expect(JSON.stringify(logs)).not.toContain(key.slice(0, 12));
      expect((await runtime.vault.get("alice", "jira"))?.secrets).toEqual({ token: "a" });
      expect(await runtime.vault.get("bob", "jira")).toBeUndefined();
    } finally {
      await runtime.close();
    }
  });

  it("keeps credentials across a restart and a key rotation", async () => {
    const first = await start(`${key},${lostKey}`);
    expect(first.logs.filter((line) => line.level === 40)).toEqual([]);
    await first.runtime.vault.put("carol", "jira", jira("c"));
    await first.runtime.close();

    const newKey = generateFernetKey();
    const second = await start(`${newKey},${key},${lostKey}`);
    try {
      for (const [user, token] of [
        ["alice", "a"],
        ["bob", "b"],
        ["carol", "c"],
      ]) {
        expect((await second.runtime.vault.get(user as string, "jira"))?.secrets).toEqual({
          token,
        });
      }
    } finally {
      await second.runtime.close();
    }
  });
});
