import { type ToolContext, undeclaredCredential } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import agent from "./agent.ts";
import { __CAMEL_NAME__Toolkit } from "./toolkit.ts";
import { writeGreeting } from "./tools/write-greeting.ts";

/** What the runtime passes a tool, minus a real user and store. */
function toolContext(): ToolContext {
  const values = new Map<string, string>();
  return {
    userId: "test-user",
    sessionId: undefined,
    signal: new AbortController().signal,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    settings: {
      get: async (key) => values.get(key),
      set: async (key, value) => void values.set(key, value),
      delete: async (key) => void values.delete(key),
    },
    credential: undeclaredCredential("__AGENT_NAME__"),
  };
}

describe("agno/__AGENT_NAME__", () => {
  it("is declared with its toolkit", () => {
    expect(agent.name).toBe("__AGENT_NAME__");
    expect(agent.toolkits).toEqual([__CAMEL_NAME__Toolkit]);
    expect(Object.keys(__CAMEL_NAME__Toolkit.tools)).toEqual(["write_greeting"]);
  });

  it("writes a greeting in the style asked for", async () => {
    const args = writeGreeting.parameters.parse({ name: "Ada", style: "pirate", times: 2 });
    expect(await writeGreeting.execute(args, toolContext())).toEqual({
      greeting: "Ahoy, Ada! Welcome aboard! Ahoy, Ada! Welcome aboard!",
      style: "pirate",
    });
  });

  it("fills in defaults and refuses arguments outside the schema", () => {
    expect(writeGreeting.parameters.parse({ name: "Ada" })).toEqual({
      name: "Ada",
      style: "friendly",
      times: 1,
    });
    expect(writeGreeting.parameters.safeParse({ name: "" }).success).toBe(false);
    expect(writeGreeting.parameters.safeParse({ name: "Ada", times: 4 }).success).toBe(false);
  });
});
