import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { type DatabaseOptions, openDatabase } from "../database/open-database.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { generateFernetKey } from "../vault/fernet.ts";
import { KeyRing } from "../vault/key-ring.ts";
import { KyselyCredentialVault } from "../vault/kysely-credential-vault.ts";

// `just tokens`, `just rotate-key` and `just revoke` as operators run them: the commands as
// processes on a real database file, reading AGENTLLM_DATA_DIR and the key from the environment.
const REPO_ROOT = path.resolve(import.meta.dirname, "../../../..");
const SECRET = "planted-SECRET-4d8e";

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function command(
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<Outcome> {
  const { AGENTLLM_TOKEN_ENCRYPTION_KEY: _, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", `packages/runtime/src/ops/${name}-main.ts`, ...args],
      { cwd: REPO_ROOT, env: { ...inherited, ...env } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const databases = useTestDatabases("ops");

describe.each(ENGINES)("operator commands on a real database (%s)", (engine) => {
  const oldKey = generateFernetKey();
  const newKey = generateFernetKey();
  const lostKey = generateFernetKey();
  let env: Record<string, string>;
  let options: DatabaseOptions;

  beforeAll(async () => {
    options = await databases.fresh(engine);
    env = {
      AGENTLLM_DATA_DIR: options.dataDir,
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    };
    const database = await openDatabase(options);
    const put = (key: string, user: string, toolkit: string) =>
      new KyselyCredentialVault(database.db, KeyRing.parse(key)).put(user, toolkit, {
        kind: "api-token",
        secrets: { token: `${SECRET}-${user}-${toolkit}` },
        metadata: { serverUrl: `https://${toolkit}.example.com` },
      });
    await put(oldKey, "alice", "jira");
    await put(oldKey, "alice", "drive");
    await put(oldKey, "bob", "jira");
    await put(lostKey, "carol", "jira");
    await database.close();
  });

  it("tokens lists connected toolkits with metadata and dates, never a secret", async () => {
    const listed = await command("tokens", [], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /alice\n {2}connected: drive \(api-token, serverUrl=https:\/\/drive\.example\.com; secret fields token\), since \d{4}-/,
    );
    expect(listed.stdout).toContain("carol\n  connected: jira");
    const json = await command("tokens", ["bob", "--json"], env);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { userId: "bob", credentials: [{ toolkit: "jira", secretFields: ["token"] }] },
    ]);
    for (const out of [listed, json]) {
      expect(out.stdout + out.stderr).not.toContain(SECRET);
      expect(out.stdout + out.stderr).not.toContain("gAAAA");
    }
  });

  it("rotate-key refuses a missing or malformed key, naming it and never echoing it", async () => {
    const missing = await command("rotate-key", [], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("AGENTLLM_TOKEN_ENCRYPTION_KEY is not set");
    expect(missing.stderr).toContain("npx just secrets");
    const malformed = await command("rotate-key", [], {
      ...env,
      AGENTLLM_TOKEN_ENCRYPTION_KEY: `${newKey},not-a-key-SECRET`,
    });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain(
      "AGENTLLM_TOKEN_ENCRYPTION_KEY key 2 of 2 is not a Fernet key",
    );
    expect(malformed.stderr).not.toContain("SECRET");
    expect(malformed.stderr).not.toContain(newKey);
  });

  it("rotate-key re-encrypts to the first key, names what it cannot, and can run again", async () => {
    const keys = { ...env, AGENTLLM_TOKEN_ENCRYPTION_KEY: `${newKey},${oldKey}` };
    const first = await command("rotate-key", [], keys);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("4 credential(s)");
    expect(first.stdout).toContain("3 re-encrypted with the first key, 0 already were");
    expect(first.stdout).toContain("1 no configured key decrypts (jira: 1)");
    const again = await command("rotate-key", [], keys);
    expect(again.stdout).toContain("0 re-encrypted with the first key, 3 already were");
    for (const out of [first, again]) expect(out.stdout + out.stderr).not.toContain(SECRET);

    const database = await openDatabase(options);
    try {
      const vault = new KyselyCredentialVault(database.db, KeyRing.parse(newKey));
      expect((await vault.get("alice", "jira"))?.secrets.token).toBe(`${SECRET}-alice-jira`);
      expect((await vault.get("bob", "jira"))?.secrets.token).toBe(`${SECRET}-bob-jira`);
      expect(await vault.get("carol", "jira")).toBeUndefined();
    } finally {
      await database.close();
    }
  });

  it("revoke removes one toolkit or all of a user's, says which, and fails when there is nothing", async () => {
    const one = await command("revoke", ["alice", "jira"], env);
    expect(one).toMatchObject({ code: 0 });
    expect(one.stdout).toContain("removed alice's credential(s) for jira");
    const wrongToolkit = await command("revoke", ["bob", "drive"], env);
    expect(wrongToolkit.code).toBe(1);
    expect(wrongToolkit.stderr).toContain("bob has no credential for drive (connected: jira)");
    const all = await command("revoke", ["alice"], env);
    expect(all.stdout).toContain("removed alice's credential(s) for drive");
    const nothing = await command("revoke", ["alice"], env);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("alice has no stored credential");
    expect((await command("revoke", [], env)).code).toBe(2);

    const listed = await command("tokens", ["--json"], env);
    expect(
      (
        JSON.parse(listed.stdout) as Array<{ userId: string; credentials: { toolkit: string }[] }>
      ).map((user) => [user.userId, user.credentials.map((c) => c.toolkit)]),
    ).toEqual([
      ["bob", ["jira"]],
      ["carol", ["jira"]],
    ]);
  });
});
