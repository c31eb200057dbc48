import { SettingTooLongError } from "./setting-too-long-error.ts";

// Settings are small preferences (a color, a project key); anything bigger is a misuse a
// toolkit should hear about, not a blob the database quietly grows with.
// Lengths are JavaScript string lengths (UTF-16 code units), the same for every backend.
export const MAX_SETTING_KEY_LENGTH = 128;
export const MAX_SETTING_VALUE_LENGTH = 4096;

export function assertSettingKey(key: string): void {
  if (key.length > MAX_SETTING_KEY_LENGTH) {
    throw new SettingTooLongError("key", key.length, MAX_SETTING_KEY_LENGTH);
  }
}

export function assertSettingValue(value: string): void {
  if (value.length > MAX_SETTING_VALUE_LENGTH) {
    throw new SettingTooLongError("value", value.length, MAX_SETTING_VALUE_LENGTH);
  }
}
