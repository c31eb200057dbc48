import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InMemoryUserSettings } from "./in-memory-user-settings.ts";
import { MAX_SETTING_KEY_LENGTH, MAX_SETTING_VALUE_LENGTH } from "./setting-limits.ts";
import { SettingTooLongError } from "./setting-too-long-error.ts";
import type { UserSettingsStore } from "./user-settings-store.ts";

/**
 * The cases every `UserSettingsStore` must pass, run by one `*.test.ts` per backend (as
 * `sessions/session-store.case.ts` does for sessions).
 */
export interface UserSettingsStoreHarness {
  /** Opens a store on this harness's database; after `close`, a new `open` sees the same data. */
  open(): Promise<OpenedSettingsStore>;
  dispose(): Promise<void>;
}

export interface OpenedSettingsStore {
  readonly store: UserSettingsStore;
  /** How many settings rows the backend holds, whoever wrote them. */
  countRows(): Promise<number>;
  close(): Promise<void>;
}

export function describeUserSettingsStoreCases(
  backend: string,
  createHarness: () => Promise<UserSettingsStoreHarness>,
): void {
  describe(`UserSettingsStore cases (${backend})`, () => {
    let harness: UserSettingsStoreHarness;
    let opened: OpenedSettingsStore;
    let store: UserSettingsStore;

    beforeEach(async () => {
      harness = await createHarness();
      opened = await harness.open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.close();
      await harness.dispose();
    });

    it("returns undefined for a missing key", async () => {
      expect(await store.get("u1", "color", "favorite")).toBeUndefined();
    });

    it("sets, overwrites and deletes", async () => {
      await store.set("u1", "color", "favorite", "teal");
      expect(await store.get("u1", "color", "favorite")).toBe("teal");
      await store.set("u1", "color", "favorite", "amber");
      expect(await store.get("u1", "color", "favorite")).toBe("amber");
      await store.delete("u1", "color", "favorite");
      expect(await store.get("u1", "color", "favorite")).toBeUndefined();
      await expect(store.delete("u1", "color", "favorite")).resolves.toBeUndefined();
    });

    it("keeps users and namespaces apart", async () => {
      await store.set("u1", "color", "k", "u1-color");
      await store.set("u2", "color", "k", "u2-color");
      await store.set("u1", "jira", "k", "u1-jira");
      expect(await store.get("u1", "color", "k")).toBe("u1-color");
      expect(await store.get("u2", "color", "k")).toBe("u2-color");
      expect(await store.get("u1", "jira", "k")).toBe("u1-jira");
      await store.delete("u1", "color", "k");
      expect(await store.get("u2", "color", "k")).toBe("u2-color");
      expect(await store.get("u1", "jira", "k")).toBe("u1-jira");
    });

    it("keeps empty strings and unusual text exactly", async () => {
      await store.set("u1", "ns", "", "");
      expect(await store.get("u1", "ns", "")).toBe("");
      const text = "Grüße ✨ 'quoted' %_ \n\t";
      await store.set("u1", "ns", text, text);
      expect(await store.get("u1", "ns", text)).toBe(text);
    });

    it("survives close and reopen", async () => {
      await store.set("u1", "color", "favorite", "teal");
      await opened.close();
      opened = await harness.open();
      store = opened.store;
      expect(await store.get("u1", "color", "favorite")).toBe("teal");
    });

    it("accepts values at the limits and rejects values past them", async () => {
      const longestKey = "k".repeat(MAX_SETTING_KEY_LENGTH);
      const longestValue = "v".repeat(MAX_SETTING_VALUE_LENGTH);
      await store.set("u1", "ns", longestKey, longestValue);
      expect(await store.get("u1", "ns", longestKey)).toBe(longestValue);

      const tooLongKey = `${longestKey}k`;
      const error = await store.set("u1", "ns", tooLongKey, "v").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SettingTooLongError);
      expect(error).toMatchObject({ part: "key", length: 129, limit: 128 });
      await expect(store.get("u1", "ns", tooLongKey)).rejects.toBeInstanceOf(SettingTooLongError);
      await expect(store.delete("u1", "ns", tooLongKey)).rejects.toBeInstanceOf(
        SettingTooLongError,
      );

      await expect(store.set("u1", "ns", "k", `${longestValue}v`)).rejects.toMatchObject({
        part: "value",
        length: 4097,
        limit: 4096,
      });
      expect(await store.get("u1", "ns", "k")).toBeUndefined();
    });

    it("honours an aborted signal", async () => {
      const signal = AbortSignal.abort(new Error("gone"));
      await expect(store.set("u1", "ns", "k", "v", { signal })).rejects.toThrow("gone");
      expect(await store.get("u1", "ns", "k")).toBeUndefined();
    });

    describe("scoped", () => {
      it("binds a user and a namespace to the database", async () => {
        const color = store.scoped("u1", "color");
        await color.set("favorite", "teal");
        expect(await store.get("u1", "color", "favorite")).toBe("teal");
        expect(await store.scoped("u1", "color").get("favorite")).toBe("teal");
        expect(await store.scoped("u2", "color").get("favorite")).toBeUndefined();
        expect(await store.scoped("u1", "jira").get("favorite")).toBeUndefined();
        await color.delete("favorite");
        expect(await store.get("u1", "color", "favorite")).toBeUndefined();
      });

      it("gives anonymous requests a memory-only store that persists nothing", async () => {
        const anonymous = store.scoped(undefined, "color");
        expect(anonymous).toBeInstanceOf(InMemoryUserSettings);
        await anonymous.set("favorite", "teal");
        expect(await anonymous.get("favorite")).toBe("teal");
        await anonymous.set("favorite", "amber");
        expect(await anonymous.get("favorite")).toBe("amber");

        // Another anonymous request starts empty, and nothing reached the table.
        expect(await store.scoped(undefined, "color").get("favorite")).toBeUndefined();
        expect(await opened.countRows()).toBe(0);

        await anonymous.delete("favorite");
        expect(await anonymous.get("favorite")).toBeUndefined();
      });

      it("applies the same limits to anonymous settings", async () => {
        const anonymous = store.scoped(undefined, "color");
        await expect(anonymous.set("k".repeat(129), "v")).rejects.toBeInstanceOf(
          SettingTooLongError,
        );
        await expect(anonymous.set("k", "v".repeat(4097))).rejects.toBeInstanceOf(
          SettingTooLongError,
        );
      });
    });
  });
}
