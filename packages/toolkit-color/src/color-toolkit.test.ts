import { z } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { colorToolkit } from "./color-toolkit.ts";

const tools = Object.entries(colorToolkit.tools);

describe("colorToolkit", () => {
  it("offers the five color tools", () => {
    expect(colorToolkit.name).toBe("color");
    expect(Object.keys(colorToolkit.tools)).toEqual([
      "set_favorite_color",
      "get_favorite_color",
      "generate_color_palette",
      "format_text_with_theme",
      "design_color_scheme_for_purpose",
    ]);
  });

  it.each(tools)("%s has a name Gemini accepts", (name) => {
    expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/);
  });

  it.each(tools)("%s turns into a documented object JSON schema", (_name, tool) => {
    const schema = z.toJSONSchema(tool.parameters) as {
      type?: string;
      properties?: Record<string, { description?: string }>;
    };
    expect(schema.type).toBe("object");
    expect(schema.properties).toBeDefined();
    for (const property of Object.values(schema.properties ?? {})) {
      expect(property.description).toBeTruthy();
    }
  });
});
