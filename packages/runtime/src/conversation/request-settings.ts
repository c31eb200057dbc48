import type { UserSettings } from "@agentllm/sdk";

export interface SettingsProvider {
  scoped(userId: string | undefined, namespace: string): UserSettings;
}

/**
 * One settings object per toolkit for the whole request, so an anonymous user's values (kept in
 * memory) are seen by every tool call and by the instructions alike.
 */
export function requestSettings(
  provider: SettingsProvider,
  userId: string | undefined,
): (namespace: string) => UserSettings {
  const byToolkit = new Map<string, UserSettings>();
  return (namespace) => {
    let settings = byToolkit.get(namespace);
    if (!settings) {
      settings = provider.scoped(userId, namespace);
      byToolkit.set(namespace, settings);
    }
    return settings;
  };
}
