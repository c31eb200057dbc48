import type { ToolDefinition, ToolkitDefinition } from "@agentllm/sdk";
import type { FunctionDeclaration, Tool } from "@google/genai";
import { z } from "zod";

export interface IndexedTool {
  readonly tool: ToolDefinition;
  readonly toolkit: ToolkitDefinition;
}

export interface GeminiToolset {
  /** Empty when the agent has no tools (Gemini rejects an empty declaration list). */
  readonly tools: Tool[];
  readonly byName: ReadonlyMap<string, IndexedTool>;
}

/**
 * Builds Gemini function declarations from the toolkits' zod schemas. The JSON schema is what
 * the model sees; the zod schema validates what it sends back, so the two cannot disagree.
 */
export function toGeminiTools(toolkits: readonly ToolkitDefinition[]): GeminiToolset {
  const byName = new Map<string, IndexedTool>();
  const declarations: FunctionDeclaration[] = [];
  for (const toolkit of toolkits) {
    for (const [name, tool] of Object.entries(toolkit.tools)) {
      const clash = byName.get(name);
      if (clash) {
        throw new Error(
          `tool '${name}' is defined by both toolkit '${clash.toolkit.name}' and '${toolkit.name}'`,
        );
      }
      byName.set(name, { tool, toolkit });
      declarations.push({
        name,
        description: tool.description,
        parametersJsonSchema: toJsonSchema(tool.parameters),
      });
    }
  }
  return {
    tools: declarations.length > 0 ? [{ functionDeclarations: declarations }] : [],
    byName,
  };
}

function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  // io: "input" describes what the model must send (defaults may be omitted by it).
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input" }) as Record<
    string,
    unknown
  >;
  return rest;
}
