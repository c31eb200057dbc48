import {
  type PluginLogger,
  type ToolContext,
  type UserSettings,
  undeclaredCredential,
} from "@agentllm/sdk";

/** A `UserSettings` backed by a Map the test can inspect. */
export function inMemorySettings(
  initial: Record<string, string> = {},
): UserSettings & { readonly values: Map<string, string> } {
  const values = new Map(Object.entries(initial));
  return {
    values,
    async get(key) {
      return values.get(key);
    },
    async set(key, value) {
      values.set(key, value);
    },
    async delete(key) {
      values.delete(key);
    },
  };
}

const silentLogger: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** What the runtime hands a tool, for a signed-in user unless `overrides` says otherwise. */
export function fakeToolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    userId: "user-1",
    sessionId: "session-1",
    signal: new AbortController().signal,
    logger: silentLogger,
    settings: inMemorySettings(),
    credential: undeclaredCredential("color"),
    ...overrides,
  };
}
