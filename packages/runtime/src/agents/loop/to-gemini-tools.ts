import type { ToolDefinition, ToolkitDefinition } from "@agentllm/sdk";
import type { FunctionDeclaration, Tool } from "@google/genai";
import { z } from "zod";
import { DEFAULT_MAX_TOOL_RESULT_BYTES } from "./bound-tool-result.ts";

/** Gemini's rule for function and parameter names (and the SDK's documented one). */
export const TOOL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

export interface IndexedTool {
  readonly tool: ToolDefinition;
  readonly toolkit: ToolkitDefinition;
  /** The tool's own `maxResultBytes`, else the runtime's default. */
  readonly maxResultBytes: number;
}

export interface GeminiToolset {
  /** Empty when the agent has no tools (Gemini rejects an empty declaration list). */
  readonly tools: Tool[];
  readonly byName: ReadonlyMap<string, IndexedTool>;
}

export interface ToolsetOptions {
  /** Cap on one tool result's JSON for tools that set no `maxResultBytes` of their own. */
  readonly defaultMaxResultBytes: number;
}

/** A toolkit the model could not be given: names the tool (and toolkit) at fault. */
export class InvalidToolError extends Error {
  override readonly name = "InvalidToolError";
}

/**
 * Builds Gemini function declarations from the toolkits' zod schemas, once, when the agent
 * loads: every schema is converted and checked then, so a tool Gemini cannot be given stops
 * the start instead of failing the first request that uses the agent. The JSON schema is what
 * the model sees; the zod schema validates what it sends back, so the two cannot disagree.
 */
export function toGeminiTools(
  toolkits: readonly ToolkitDefinition[],
  options: ToolsetOptions = { defaultMaxResultBytes: DEFAULT_MAX_TOOL_RESULT_BYTES },
): GeminiToolset {
  const byName = new Map<string, IndexedTool>();
  const toolkitNames = new Set<string>();
  const declarations: FunctionDeclaration[] = [];
  for (const toolkit of toolkits) {
    // The toolkit name scopes its per-user settings: two of one name would share them.
    if (toolkitNames.has(toolkit.name)) {
      throw new InvalidToolError(`two toolkits are named '${toolkit.name}'`);
    }
    toolkitNames.add(toolkit.name);
    for (const [name, tool] of Object.entries(toolkit.tools)) {
      const where = `tool '${name}' of toolkit '${toolkit.name}'`;
      if (!TOOL_NAME.test(name)) {
        throw new InvalidToolError(
          `${where}: the name must be 1 to 64 letters, digits and underscores, not starting with a digit (Gemini's rule)`,
        );
      }
      const clash = byName.get(name);
      if (clash) {
        throw new InvalidToolError(
          `tool '${name}' is defined by both toolkit '${clash.toolkit.name}' and '${toolkit.name}'`,
        );
      }
      byName.set(name, {
        tool,
        toolkit,
        maxResultBytes: tool.maxResultBytes ?? options.defaultMaxResultBytes,
      });
      declarations.push({
        name,
        description: tool.description,
        parametersJsonSchema: toParametersSchema(tool.parameters, where),
      });
    }
  }
  return {
    tools: declarations.length > 0 ? [{ functionDeclarations: declarations }] : [],
    byName,
  };
}

function toParametersSchema(schema: z.ZodType, where: string): Record<string, unknown> {
  let json: Record<string, unknown>;
  try {
    // io: "input" describes what the model must send (defaults may be omitted by it, and a
    // `z.string().transform(...)` is a string to the model). zod refuses what JSON cannot carry:
    // z.date(), z.bigint(), z.map(), z.set(), z.symbol(), z.undefined(), z.custom(), a bare
    // z.transform(), functions.
    json = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  } catch (error) {
    throw new InvalidToolError(
      `${where}: its parameters cannot be sent to Gemini as JSON Schema: ${(error as Error).message} (use JSON types: strings, numbers, booleans, arrays, objects; e.g. z.iso.datetime() for a date)`,
    );
  }
  const { $schema: _dialect, ...rest } = json;
  // Gemini: "the schema must describe an object where the properties are the parameters".
  if (rest.type !== "object") {
    throw new InvalidToolError(
      `${where}: parameters must be a z.object({...}) (Gemini takes named parameters), got ${describeTop(rest)}`,
    );
  }
  for (const key of Object.keys((rest.properties ?? {}) as Record<string, unknown>)) {
    if (!TOOL_NAME.test(key)) {
      throw new InvalidToolError(
        `${where}: parameter '${key}' must be named with 1 to 64 letters, digits and underscores, not starting with a digit (Gemini's rule)`,
      );
    }
  }
  return rest;
}

function describeTop(json: Record<string, unknown>): string {
  if (typeof json.type === "string") return `a schema of type '${json.type}'`;
  if (Array.isArray(json.type)) return `a schema of types ${JSON.stringify(json.type)}`;
  if (json.anyOf || json.oneOf) return "a union (anyOf/oneOf)";
  return "a schema without a type";
}
