import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDatabase } from "../database/app-database.ts";
import { openDatabase } from "../database/open-database.ts";
import { ENGINES, useTestDatabases } from "../testing/test-databases.ts";
import type { NewCredential } from "./credential-vault.ts";
import { Fernet, generateFernetKey } from "./fernet.ts";
import { KeyRing } from "./key-ring.ts";
import { KyselyCredentialVault } from "./kysely-credential-vault.ts";
import { PAGE_ROWS, rotateCredentials } from "./rotate-credentials.ts";

const jira = (token: string): NewCredential => ({
  kind: "api-token",
  secrets: { token, other: `${token}-2` },
  metadata: { serverUrl: "https://jira.example.com" },
});

const databases = useTestDatabases("rotate");

describe.each(ENGINES)("rotateCredentials (%s)", (engine) => {
  let database: AppDatabase;
  const oldKey = generateFernetKey();
  const newKey = generateFernetKey();
  const vaultWith = (keys: string) => new KyselyCredentialVault(database.db, KeyRing.parse(keys));

  beforeEach(async () => {
    database = await openDatabase(await databases.fresh(engine));
  });

  afterEach(async () => {
    await database.close();
  });

  it("re-encrypts every row under the first key, reports what it could not, and can run again", async () => {
    for (const user of ["a", "b", "c"])
      await vaultWith(oldKey).put(user, "jira", jira(`${user}-pat`));
    await vaultWith(newKey).put("d", "jira", jira("d-pat"));
    await vaultWith(generateFernetKey()).put("e", "drive", jira("e-pat"));
    const before = await database.db
      .selectFrom("credentials")
      .selectAll()
      .orderBy("user_id")
      .execute();

    const keys = KeyRing.parse(`${newKey},${oldKey}`);
    expect(await rotateCredentials(database.db, keys)).toEqual({
      rows: 5,
      reencrypted: 3,
      current: 1,
      undecryptable: { drive: 1 },
    });
    // Only the old key's rows changed, and only their tokens.
    const after = await database.db
      .selectFrom("credentials")
      .selectAll()
      .orderBy("user_id")
      .execute();
    expect(after.map(({ secrets, ...rest }) => rest)).toEqual(
      before.map(({ secrets, ...rest }) => rest),
    );
    expect(after.slice(3).map((row) => row.secrets)).toEqual(
      before.slice(3).map((row) => row.secrets),
    );

    // The old key can go now.
    const onlyNew = vaultWith(newKey);
    for (const user of ["a", "b", "c", "d"]) {
      expect((await onlyNew.get(user, "jira"))?.secrets).toEqual({
        token: `${user}-pat`,
        other: `${user}-pat-2`,
      });
    }
    expect(await rotateCredentials(database.db, keys)).toEqual({
      rows: 5,
      reencrypted: 0,
      current: 4,
      undecryptable: { drive: 1 },
    });
  });

  it("pages through more rows than one page holds, each exactly once", async () => {
    const fernet = new Fernet(oldKey);
    const now = new Date().toISOString();
    const count = PAGE_ROWS * 2 + 1;
    // Straight inserts: the vault's own put would do the same, slower.
    await database.db
      .insertInto("credentials")
      .values(
        Array.from({ length: count }, (_, i) => ({
          user_id: `user-${String(i % 7)}`,
          toolkit: `toolkit-${String(i).padStart(5, "0")}`,
          kind: "api-token" as const,
          secrets: JSON.stringify({ token: fernet.encrypt(`pat-${i}`) }),
          metadata: "{}",
          connected_at: now,
          updated_at: now,
        })),
      )
      .execute();
    const keys = KeyRing.parse(`${newKey},${oldKey}`);
    expect(await rotateCredentials(database.db, keys)).toMatchObject({
      rows: count,
      reencrypted: count,
    });
    expect(await rotateCredentials(database.db, keys)).toMatchObject({
      rows: count,
      current: count,
    });
  });

  it("changes nothing when the transaction fails part way", async () => {
    await vaultWith(oldKey).put("a", "jira", jira("a-pat"));
    await vaultWith(oldKey).put("b", "jira", jira("b-pat"));
    const before = await database.db.selectFrom("credentials").select("secrets").execute();
    const failing = KeyRing.parse(`${newKey},${oldKey}`);
    const encrypt = failing.encrypt.bind(failing);
    let calls = 0;
    // Row a's two fields go through; row b's first one fails.
    failing.encrypt = (plaintext) => {
      if (++calls > 2) throw new Error("disk full");
      return encrypt(plaintext);
    };
    await expect(rotateCredentials(database.db, failing)).rejects.toThrow("disk full");
    expect(await database.db.selectFrom("credentials").select("secrets").execute()).toEqual(before);
  });
});
