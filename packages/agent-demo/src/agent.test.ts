import type { InstructionContext, ToolkitDefinition, UserSettings } from "@agentllm/sdk";
import { colorToolkit, FAVORITE_COLOR_KEY } from "@agentllm/toolkit-color";
import { describe, expect, it } from "vitest";
import demoAgent from "./agent.ts";
import { demoAgent as namedExport } from "./index.ts";

function instructionContext(
  userId: string | undefined,
  stored: Record<string, string> = {},
): InstructionContext & { readonly asked: ToolkitDefinition[] } {
  const asked: ToolkitDefinition[] = [];
  const settings: UserSettings = {
    get: async (key) => stored[key],
    set: async () => {},
    delete: async () => {},
  };
  return {
    userId,
    asked,
    settingsFor(toolkit) {
      asked.push(toolkit);
      return settings;
    },
  };
}

describe("demo agent", () => {
  it("holds nothing secret: no toolkit of it asks for a credential", () => {
    // Its favorite color stays a plain user setting; only toolkits acting as the user (Jira) do.
    const toolkits: readonly ToolkitDefinition[] = demoAgent.toolkits;
    expect(toolkits.filter((toolkit) => toolkit.credential)).toEqual([]);
  });

  it("is declared for the runtime", () => {
    expect(namedExport).toBe(demoAgent);
    expect(demoAgent.name).toBe("demo-agent");
    expect(demoAgent.model).toEqual({
      model: "gemini-2.5-flash",
      temperature: 0.7,
      thinkingBudget: 1024,
      includeThoughts: true,
    });
    expect(demoAgent.toolkits).toEqual([colorToolkit]);
    expect(demoAgent.maxSteps).toBe(8);
    expect(demoAgent.knowledge).toEqual({});
  });

  it("tells the model a configured favorite color and not to ask again", async () => {
    const ctx = instructionContext("user-1", { [FAVORITE_COLOR_KEY]: "yellow" });
    const text = await demoAgent.instructions(ctx);
    expect(ctx.asked).toEqual([colorToolkit]);
    expect(text).toContain("favorite color is **yellow** (already configured — don't ask again)");
    expect(text).not.toContain("not configured yet");
  });

  it("has the model ask for a missing favorite color, listing the choices", async () => {
    const text = await demoAgent.instructions(instructionContext("user-1"));
    expect(text).toContain("not configured yet");
    expect(text).toContain("red, blue, green, yellow, purple, orange, pink, black, white, brown");
    expect(text).toContain("Do not guess");
    expect(text).toContain("call set_favorite_color");
    expect(text).toContain("remembered in future conversations");
  });

  it("treats an unusable stored value as missing", async () => {
    const text = await demoAgent.instructions(
      instructionContext("user-1", { [FAVORITE_COLOR_KEY]: "teal" }),
    );
    expect(text).toContain("not configured yet");
  });

  it("tells the model an anonymous user's color lasts only this conversation", async () => {
    const text = await demoAgent.instructions(instructionContext(undefined));
    expect(text).toContain("anonymous");
    expect(text).toContain("only be remembered for this conversation");
    expect(text).toContain("pass it as `color`");
    expect(text).not.toContain("future conversations");
  });

  it("walks through the tour and insists on real palette hex codes", async () => {
    const text = await demoAgent.instructions(instructionContext("user-1"));
    expect(text).toContain("ALWAYS call generate_color_palette");
    expect(text).toContain("hex codes from the tool output");
    for (const tool of Object.keys(colorToolkit.tools).filter(
      (name) => name !== "get_favorite_color",
    )) {
      expect(text).toContain(tool);
    }
  });
});
