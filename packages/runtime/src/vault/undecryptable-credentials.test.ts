import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDatabase } from "../database/app-database.ts";
import { openDatabase } from "../database/open-database.ts";
import { createLogger } from "../logger.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import { generateFernetKey } from "./fernet.ts";
import { KeyRing } from "./key-ring.ts";
import { KyselyCredentialVault } from "./kysely-credential-vault.ts";
import { countUndecryptable, reportUndecryptable } from "./undecryptable-credentials.ts";

const databases = useTestDatabases("undecryptable");

describe.each(ENGINES)("the start-up count of credentials no key decrypts (%s)", (engine) => {
  let database: AppDatabase;
  const key = generateFernetKey();
  const lostKey = generateFernetKey();

  beforeEach(async () => {
    database = await openDatabase(await databases.fresh(engine));
    const put = (keys: string, user: string, toolkit: string) =>
      new KyselyCredentialVault(database.db, KeyRing.parse(keys)).put(user, toolkit, {
        kind: "api-token",
        secrets: { token: `SECRET-${user}` },
        metadata: {},
      });
    await put(key, "a", "jira");
    await put(lostKey, "b", "jira");
    await put(lostKey, "c", "jira");
    await put(lostKey, "c", "drive");
  });

  afterEach(async () => {
    await database.close();
  });

  it("counts per toolkit", async () => {
    expect(await countUndecryptable(database.db, KeyRing.parse(key))).toEqual({
      checked: 4,
      total: 4,
      byToolkit: { jira: 2, drive: 1 },
    });
    expect(await countUndecryptable(database.db, KeyRing.parse(`${key},${lostKey}`))).toEqual({
      checked: 4,
      total: 4,
      byToolkit: {},
    });
  });

  it("stops at its bound and says how many it checked", async () => {
    expect(await countUndecryptable(database.db, KeyRing.parse(key), { limit: 3 })).toEqual({
      checked: 3,
      total: 4,
      byToolkit: { drive: 1, jira: 1 },
    });
  });

  it("logs one warning line with the counts, without ids or values", async () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
    await reportUndecryptable(database.db, KeyRing.parse(key), logger);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] as string);
    expect(entry).toMatchObject({ level: 40, undecryptable: { jira: 2, drive: 1 }, checked: 4 });
    expect(entry.msg).toContain("AGENTLLM_TOKEN_ENCRYPTION_KEY");
    for (const leak of ["SECRET", '"b"', '"c"', "gAAAA", key.slice(0, 12), lostKey.slice(0, 12)]) {
      expect(lines[0]).not.toContain(leak);
    }

    lines.length = 0;
    await reportUndecryptable(database.db, KeyRing.parse(`${key},${lostKey}`), logger);
    expect(lines).toEqual([]);
  });
});
