export { InMemoryUserSettings } from "./in-memory-user-settings.ts";
export { KyselyUserSettingsStore } from "./kysely-user-settings-store.ts";
export { MAX_SETTING_KEY_LENGTH, MAX_SETTING_VALUE_LENGTH } from "./setting-limits.ts";
export { SettingTooLongError } from "./setting-too-long-error.ts";
export type { UserSettingsStore } from "./user-settings-store.ts";
