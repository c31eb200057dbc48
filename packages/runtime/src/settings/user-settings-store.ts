import type { UserSettings } from "@agentllm/sdk";
import type { QueryOptions } from "../database/query-options.ts";

/**
 * Per-user values, grouped by namespace (a toolkit's name). Keys and values are limited in
 * length (see `setting-limits.ts`) and exceeding a limit throws `SettingTooLongError`.
 */
export interface UserSettingsStore {
  get(
    userId: string,
    namespace: string,
    key: string,
    options?: QueryOptions,
  ): Promise<string | undefined>;
  /** Inserts or overwrites. */
  set(
    userId: string,
    namespace: string,
    key: string,
    value: string,
    options?: QueryOptions,
  ): Promise<void>;
  /** Deleting a missing key is not an error. */
  delete(userId: string, namespace: string, key: string, options?: QueryOptions): Promise<void>;
  /**
   * The SDK view one toolkit gets for one request. For an anonymous request (`userId`
   * undefined) this is a fresh in-memory store each call, persisted nowhere: create it once
   * per request and toolkit, and reuse it for that request.
   */
  scoped(userId: string | undefined, namespace: string): UserSettings;
}
