import type { UserSettings } from "@agentllm/sdk";
import type { Kysely } from "kysely";
import type { QueryOptions } from "../database/query-options.ts";
import type { Database } from "../database/schema.ts";
import { InMemoryUserSettings } from "./in-memory-user-settings.ts";
import { assertSettingKey, assertSettingValue } from "./setting-limits.ts";
import type { UserSettingsStore } from "./user-settings-store.ts";

/** `UserSettingsStore` on the `user_settings` table, for any kysely dialect. */
export class KyselyUserSettingsStore implements UserSettingsStore {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get(
    userId: string,
    namespace: string,
    key: string,
    options?: QueryOptions,
  ): Promise<string | undefined> {
    assertSettingKey(key);
    options?.signal?.throwIfAborted();
    const row = await this.#db
      .selectFrom("user_settings")
      .where("user_id", "=", userId)
      .where("namespace", "=", namespace)
      .where("key", "=", key)
      .select("value")
      .executeTakeFirst();
    return row?.value;
  }

  async set(
    userId: string,
    namespace: string,
    key: string,
    value: string,
    options?: QueryOptions,
  ): Promise<void> {
    assertSettingKey(key);
    assertSettingValue(value);
    options?.signal?.throwIfAborted();
    const now = new Date().toISOString();
    await this.#db
      .insertInto("user_settings")
      .values({ user_id: userId, namespace, key, value, updated_at: now })
      .onConflict((conflict) =>
        conflict.columns(["user_id", "namespace", "key"]).doUpdateSet({ value, updated_at: now }),
      )
      .execute();
  }

  async delete(
    userId: string,
    namespace: string,
    key: string,
    options?: QueryOptions,
  ): Promise<void> {
    assertSettingKey(key);
    options?.signal?.throwIfAborted();
    await this.#db
      .deleteFrom("user_settings")
      .where("user_id", "=", userId)
      .where("namespace", "=", namespace)
      .where("key", "=", key)
      .execute();
  }

  scoped(userId: string | undefined, namespace: string): UserSettings {
    if (userId === undefined) return new InMemoryUserSettings();
    return {
      get: (key) => this.get(userId, namespace, key),
      set: (key, value) => this.set(userId, namespace, key, value),
      delete: (key) => this.delete(userId, namespace, key),
    };
  }
}
