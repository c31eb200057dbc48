import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  InvalidCredentialError,
  MAX_FIELDS,
  MAX_METADATA_LENGTH,
  MAX_SECRET_LENGTH,
} from "./credential-limits.ts";
import type { CredentialVault, NewCredential } from "./credential-vault.ts";
import { generateFernetKey } from "./fernet.ts";
import { KeyRing } from "./key-ring.ts";

/**
 * The cases every `CredentialVault` must pass, run by one `*.test.ts` per backend (as
 * `sessions/session-store.case.ts` does for sessions).
 */
export interface CredentialVaultHarness {
  /**
   * Opens a vault on this harness's database with these keys and clock; after `close`, a new
   * `open` sees the same rows.
   */
  open(options: { keys: KeyRing; now: () => Date }): Promise<OpenedCredentialVault>;
  dispose(): Promise<void>;
}

export interface OpenedCredentialVault {
  readonly vault: CredentialVault;
  close(): Promise<void>;
}

const jira = (token: string, serverUrl = "https://jira.example.com"): NewCredential => ({
  kind: "api-token",
  secrets: { token },
  metadata: { serverUrl },
});

export function describeCredentialVaultCases(
  backend: string,
  createHarness: () => Promise<CredentialVaultHarness>,
): void {
  describe(`CredentialVault cases (${backend})`, () => {
    let harness: CredentialVaultHarness;
    let opened: OpenedCredentialVault;
    let vault: CredentialVault;
    let key: string;
    let clock: Date;
    const now = () => clock;

    const reopen = async (keys: string) => {
      await opened.close();
      opened = await harness.open({ keys: KeyRing.parse(keys), now });
      vault = opened.vault;
    };

    beforeEach(async () => {
      key = generateFernetKey();
      clock = new Date("2026-03-01T10:00:00.000Z");
      harness = await createHarness();
      opened = await harness.open({ keys: KeyRing.parse(key), now });
      vault = opened.vault;
    });

    afterEach(async () => {
      await opened.close();
      await harness.dispose();
    });

    it("has nothing for a user who never connected", async () => {
      expect(await vault.get("u1", "jira")).toBeUndefined();
      expect(await vault.list()).toEqual([]);
      expect(await vault.remove("u1")).toBe(0);
    });

    it("stores and returns a credential with its metadata and dates", async () => {
      await vault.put("u1", "jira", jira("pat-u1"));
      expect(await vault.get("u1", "jira")).toEqual({
        userId: "u1",
        toolkit: "jira",
        kind: "api-token",
        secrets: { token: "pat-u1" },
        metadata: { serverUrl: "https://jira.example.com" },
        connectedAt: "2026-03-01T10:00:00.000Z",
        updatedAt: "2026-03-01T10:00:00.000Z",
      });
    });

    it("replaces a credential, keeping when it was first connected", async () => {
      await vault.put("u1", "jira", jira("old-pat"));
      clock = new Date("2026-03-02T10:00:00.000Z");
      await vault.put("u1", "jira", jira("new-pat", "https://other.example.com"));
      expect(await vault.get("u1", "jira")).toMatchObject({
        secrets: { token: "new-pat" },
        metadata: { serverUrl: "https://other.example.com" },
        connectedAt: "2026-03-01T10:00:00.000Z",
        updatedAt: "2026-03-02T10:00:00.000Z",
      });
      expect(await vault.list()).toHaveLength(1);
    });

    it("keeps users and toolkits apart", async () => {
      await vault.put("alice", "jira", jira("alice-pat"));
      await vault.put("bob", "jira", jira("bob-pat"));
      await vault.put("alice", "google-drive", {
        kind: "oauth2",
        secrets: { refreshToken: "alice-refresh", accessToken: "alice-access" },
        metadata: { scopes: "drive.readonly", expiresAt: "2026-03-01T11:00:00.000Z" },
      });
      expect((await vault.get("alice", "jira"))?.secrets).toEqual({ token: "alice-pat" });
      expect((await vault.get("bob", "jira"))?.secrets).toEqual({ token: "bob-pat" });
      expect(await vault.get("bob", "google-drive")).toBeUndefined();
      // Ids are compared exactly: no case folding, no prefix matches.
      expect(await vault.get("Alice", "jira")).toBeUndefined();
      expect(await vault.get("alic", "jira")).toBeUndefined();
      expect(await vault.remove("alice", "jira")).toBe(1);
      expect((await vault.get("bob", "jira"))?.secrets).toEqual({ token: "bob-pat" });
      expect(await vault.get("alice", "google-drive")).toBeDefined();
    });

    it("removes one toolkit's credential or all of a user's, saying how many", async () => {
      await vault.put("u1", "jira", jira("a"));
      await vault.put("u1", "drive", jira("b"));
      await vault.put("u2", "jira", jira("c"));
      expect(await vault.remove("u1", "nope")).toBe(0);
      expect(await vault.remove("u1", "jira")).toBe(1);
      expect(await vault.remove("u1", "jira")).toBe(0);
      await vault.put("u1", "jira", jira("a"));
      expect(await vault.remove("u1")).toBe(2);
      expect((await vault.list()).map((c) => `${c.userId}/${c.toolkit}`)).toEqual(["u2/jira"]);
    });

    it("lists metadata and field names, never a secret", async () => {
      await vault.put("u2", "jira", jira("u2-SECRET-pat"));
      await vault.put("u1", "jira", jira("u1-SECRET-pat"));
      await vault.put("u1", "drive", {
        kind: "oauth2",
        secrets: { refreshToken: "refresh-SECRET" },
        metadata: { scopes: "drive.readonly" },
      });
      const all = await vault.list();
      expect(all.map((c) => `${c.userId}/${c.toolkit}`)).toEqual([
        "u1/drive",
        "u1/jira",
        "u2/jira",
      ]);
      expect(all[1]).toEqual({
        userId: "u1",
        toolkit: "jira",
        kind: "api-token",
        metadata: { serverUrl: "https://jira.example.com" },
        secretFields: ["token"],
        connectedAt: "2026-03-01T10:00:00.000Z",
        updatedAt: "2026-03-01T10:00:00.000Z",
      });
      expect(JSON.stringify(all)).not.toContain("SECRET");
      expect(JSON.stringify(all)).not.toContain("gAAAA");
      expect((await vault.list({ userId: "u2" })).map((c) => c.toolkit)).toEqual(["jira"]);
      expect(await vault.list({ userId: "nobody" })).toEqual([]);
    });

    it("keeps unusual text exactly", async () => {
      const text = "Grüße ✨ 'quoted' %_ \"\\ \n\t";
      await vault.put("user ✨ 'x'", "jira", {
        kind: "api-token",
        secrets: { token: text },
        metadata: { note: text, empty: "" },
      });
      expect(await vault.get("user ✨ 'x'", "jira")).toMatchObject({
        secrets: { token: text },
        metadata: { note: text, empty: "" },
      });
    });

    it("survives close and reopen", async () => {
      await vault.put("u1", "jira", jira("pat"));
      await reopen(key);
      expect((await vault.get("u1", "jira"))?.secrets).toEqual({ token: "pat" });
    });

    it("reads nothing when no configured key opens a credential, until the key is back", async () => {
      await vault.put("u1", "jira", jira("pat"));
      const newKey = generateFernetKey();
      await reopen(newKey);
      expect(await vault.get("u1", "jira")).toBeUndefined();
      // Still listed (its metadata is plain) so an operator sees what needs reconnecting.
      expect((await vault.list()).map((c) => c.toolkit)).toEqual(["jira"]);
      await reopen(`${newKey},${key}`);
      expect((await vault.get("u1", "jira"))?.secrets).toEqual({ token: "pat" });
      // A new put is under the first key: the old key can go.
      await vault.put("u1", "jira", jira("pat2"));
      await reopen(newKey);
      expect((await vault.get("u1", "jira"))?.secrets).toEqual({ token: "pat2" });
    });

    it("accepts credentials at the limits and refuses ones past them, storing nothing", async () => {
      const fields = (n: number, length: number) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, "v".repeat(length)]));
      const largest: NewCredential = {
        kind: "oauth2",
        secrets: fields(MAX_FIELDS, MAX_SECRET_LENGTH),
        metadata: fields(MAX_FIELDS, MAX_METADATA_LENGTH),
      };
      await vault.put("u".repeat(256), "t".repeat(128), largest);
      expect((await vault.get("u".repeat(256), "t".repeat(128)))?.secrets).toEqual(largest.secrets);

      const refused: Array<[string, string, NewCredential, RegExp]> = [
        ["u".repeat(257), "jira", jira("p"), /user id/],
        ["", "jira", jira("p"), /user id/],
        ["u1", "t".repeat(129), jira("p"), /toolkit name/],
        [
          "u1",
          "jira",
          { ...largest, secrets: fields(MAX_FIELDS + 1, 1) },
          /17 secret fields; at most 16/,
        ],
        ["u1", "jira", { ...largest, metadata: fields(MAX_FIELDS + 1, 1) }, /17 metadata fields/],
        [
          "u1",
          "jira",
          jira("p".repeat(MAX_SECRET_LENGTH + 1)),
          /'token' is 8193 characters; at most 8192/,
        ],
        ["u1", "jira", jira("p", "h".repeat(MAX_METADATA_LENGTH + 1)), /'serverUrl' is 2049/],
        ["u1", "jira", { kind: "api-token", secrets: {}, metadata: {} }, /needs a secret/],
        ["u1", "jira", { kind: "api-token", secrets: { token: "" }, metadata: {} }, /empty/],
        [
          "u1",
          "jira",
          { kind: "api-token", secrets: { "bad name": "p" }, metadata: {} },
          /field names/,
        ],
        ["u1", "jira", { ...jira("p"), kind: "password" as "oauth2" }, /kind/],
      ];
      for (const [userId, toolkit, credential, message] of refused) {
        const error = await vault.put(userId, toolkit, credential).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidCredentialError);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).not.toContain("ppp");
      }
      expect(await vault.list()).toHaveLength(1);
    });
  });
}
