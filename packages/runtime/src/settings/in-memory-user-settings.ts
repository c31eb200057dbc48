import type { UserSettings } from "@agentllm/sdk";
import { assertSettingKey, assertSettingValue } from "./setting-limits.ts";

/**
 * Settings for an anonymous request: they live as long as this object and are never stored,
 * since without a user id there is nobody to give them back to. Same limits as the database,
 * so a toolkit behaves the same signed in or not.
 */
export class InMemoryUserSettings implements UserSettings {
  readonly #values = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    assertSettingKey(key);
    return this.#values.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    assertSettingKey(key);
    assertSettingValue(value);
    this.#values.set(key, value);
  }

  async delete(key: string): Promise<void> {
    assertSettingKey(key);
    this.#values.delete(key);
  }
}
