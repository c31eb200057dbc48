import type { ToolDefinition, ToolkitDefinition } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toGeminiTools } from "./to-gemini-tools.ts";

function tool(parameters: z.ZodType, description = "does a thing"): ToolDefinition {
  return { description, parameters, execute: () => null };
}

const colorKit: ToolkitDefinition = {
  name: "color",
  tools: {
    set_favorite_color: tool(
      z.object({
        color: z.string().describe("A CSS color name"),
        shade: z.number().int().min(0).max(9).default(5),
        note: z.string().optional(),
      }),
      "Remembers the user's favorite color.",
    ),
    get_favorite_color: tool(z.object({}), "Reads the user's favorite color."),
  },
};

const mathKit: ToolkitDefinition = {
  name: "math",
  tools: { add: tool(z.object({ a: z.number(), b: z.number() }), "Adds two numbers.") },
};

describe("toGeminiTools", () => {
  it("returns no tools for an agent without toolkits", () => {
    const toolset = toGeminiTools([]);
    expect(toolset.tools).toEqual([]);
    expect(toolset.byName.size).toBe(0);
  });

  it("returns no tools for toolkits without tools", () => {
    const toolset = toGeminiTools([{ name: "empty", tools: {} }]);
    expect(toolset.tools).toEqual([]);
    expect(toolset.byName.size).toBe(0);
  });

  it("puts every tool of every toolkit in one functionDeclarations list, in order", () => {
    const { tools } = toGeminiTools([colorKit, mathKit]);
    expect(tools).toHaveLength(1);
    const declarations = tools[0]?.functionDeclarations ?? [];
    expect(declarations.map((declaration) => declaration.name)).toEqual([
      "set_favorite_color",
      "get_favorite_color",
      "add",
    ]);
    expect(declarations.map((declaration) => declaration.description)).toEqual([
      "Remembers the user's favorite color.",
      "Reads the user's favorite color.",
      "Adds two numbers.",
    ]);
  });

  it("declares parameters with parametersJsonSchema: an object schema without $schema", () => {
    const { tools } = toGeminiTools([colorKit]);
    const declaration = tools[0]?.functionDeclarations?.[0];
    expect(declaration?.parameters).toBeUndefined();
    const schema = declaration?.parametersJsonSchema as Record<string, unknown>;
    expect(schema).toBeDefined();
    expect(schema).not.toHaveProperty("$schema");
    expect(schema.type).toBe("object");
    expect(schema.properties).toEqual({
      color: { type: "string", description: "A CSS color name" },
      shade: { type: "integer", minimum: 0, maximum: 9, default: 5 },
      note: { type: "string" },
    });
    // Input schema: a field with a default is one the model may leave out.
    expect(schema.required).toEqual(["color"]);
  });

  it("declares an empty object schema for a tool without parameters", () => {
    const { tools } = toGeminiTools([colorKit]);
    const schema = tools[0]?.functionDeclarations?.[1]?.parametersJsonSchema as Record<
      string,
      unknown
    >;
    expect(schema).not.toHaveProperty("$schema");
    expect(schema.type).toBe("object");
    expect(schema.properties ?? {}).toEqual({});
    expect(schema.required ?? []).toEqual([]);
  });

  it("keeps the schema JSON-serialisable", () => {
    const { tools } = toGeminiTools([colorKit, mathKit]);
    expect(JSON.parse(JSON.stringify(tools))).toEqual(tools);
  });

  it("indexes each tool by name with its toolkit", () => {
    const { byName } = toGeminiTools([colorKit, mathKit]);
    expect([...byName.keys()]).toEqual(["set_favorite_color", "get_favorite_color", "add"]);
    expect(byName.get("add")?.toolkit).toBe(mathKit);
    expect(byName.get("add")?.tool).toBe(mathKit.tools.add);
    expect(byName.get("get_favorite_color")?.toolkit).toBe(colorKit);
    expect(byName.get("missing")).toBeUndefined();
  });

  it("throws when two toolkits define the same tool name, naming both toolkits", () => {
    const clash: ToolkitDefinition = {
      name: "other-math",
      tools: { add: tool(z.object({ x: z.number() })) },
    };
    expect(() => toGeminiTools([mathKit, clash])).toThrow(
      "tool 'add' is defined by both toolkit 'math' and 'other-math'",
    );
  });
});
