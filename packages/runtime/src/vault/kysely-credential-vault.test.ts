import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATABASE_FILE_NAME, openDatabase } from "../database/open-database.ts";
import { createLogger } from "../logger.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { describeCredentialVaultCases } from "./credential-vault.case.ts";
import { generateFernetKey } from "./fernet.ts";
import { KeyRing } from "./key-ring.ts";
import { KyselyCredentialVault } from "./kysely-credential-vault.ts";

// A real database per test (a file, or a database on this file's throwaway Postgres), so
// the reopen cases exercise the same path as a restart.
const databases = useTestDatabases("vault");
for (const engine of ENGINES) {
  describeCredentialVaultCases(engine, async () => {
    const options = await databases.fresh(engine);
    return {
      async open({ keys, now }) {
        const database = await openDatabase(options);
        return {
          vault: new KyselyCredentialVault(database.db, keys, { now }),
          close: () => database.close(),
        };
      },
      async dispose() {},
    };
  });
}

describe("KyselyCredentialVault on SQLite", () => {
  const PLANTED = "planted-SECRET-6f1c2a9e-jira-token";

  it("never writes a secret in clear to the database file or its WAL", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-vault-"));
    try {
      const database = await openDatabase({ dataDir });
      const vault = new KyselyCredentialVault(database.db, KeyRing.parse(generateFernetKey()));
      await vault.put("alice", "jira", {
        kind: "api-token",
        secrets: { token: PLANTED },
        metadata: { serverUrl: "https://jira.example.com" },
      });
      await vault.put("alice", "jira", {
        kind: "api-token",
        secrets: { token: `${PLANTED}-2` },
        metadata: { serverUrl: "https://jira.example.com" },
      });
      expect((await vault.get("alice", "jira"))?.secrets.token).toBe(`${PLANTED}-2`);

      const files = () =>
        fs.readdirSync(dataDir).filter((name) => name.startsWith(DATABASE_FILE_NAME));
      const scan = () => {
        for (const name of files()) {
          const bytes = fs.readFileSync(path.join(dataDir, name));
          for (const form of [
            Buffer.from(PLANTED, "utf8"),
            Buffer.from(PLANTED, "utf16le"),
            Buffer.from(PLANTED).toString("base64").slice(0, 24),
          ]) {
            expect(bytes.includes(form), `${name} holds the secret`).toBe(false);
          }
        }
      };
      // While open, the writes sit in the -wal file; after close, in the database file.
      expect(files()).toContain(`${DATABASE_FILE_NAME}-wal`);
      expect(fs.statSync(path.join(dataDir, `${DATABASE_FILE_NAME}-wal`)).size).toBeGreaterThan(0);
      scan();
      await database.close();
      scan();
      // The metadata is plain (that is what makes it queryable), so the scan reads real bytes.
      const raw = fs.readFileSync(path.join(dataDir, DATABASE_FILE_NAME));
      expect(raw.includes(Buffer.from("https://jira.example.com"))).toBe(true);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("logs a credential no key opens as who and which toolkit, never a value", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "agentllm-vault-"));
    const lines: string[] = [];
    const logger = createLogger("warn", { write: (line: string) => void lines.push(line) });
    try {
      const database = await openDatabase({ dataDir });
      await new KyselyCredentialVault(database.db, KeyRing.parse(generateFernetKey())).put(
        "alice",
        "jira",
        { kind: "api-token", secrets: { token: PLANTED }, metadata: {} },
      );
      const otherKey = generateFernetKey();
      const vault = new KyselyCredentialVault(database.db, KeyRing.parse(otherKey), { logger });
      expect(await vault.get("alice", "jira")).toBeUndefined();
      await database.close();

      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0] as string);
      expect(entry).toMatchObject({ level: 40, userId: "alice", toolkit: "jira" });
      expect(entry.msg).toContain("connect again");
      expect(lines[0]).not.toContain(PLANTED);
      expect(lines[0]).not.toContain("gAAAA");
      expect(lines[0]).not.toContain(otherKey.slice(0, 16));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
