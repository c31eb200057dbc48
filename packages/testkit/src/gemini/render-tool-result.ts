import type { FunctionResult } from "./conversation.ts";

/** Keys runtimes commonly wrap a tool's return value in; unwrapped when alone. */
const wrapperKeys = ["output", "result", "content"];

function inline(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== "object")) {
    return value.map(String).join(", ");
  }
  return JSON.stringify(value);
}

function block(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "(nothing)";
    return value.map((item) => `- ${inline(item)}`).join("\n");
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "(nothing)";
    return entries.map(([key, item]) => `- ${key}: ${inline(item)}`).join("\n");
  }
  return inline(value);
}

function unwrap(response: unknown): unknown {
  if (response === null || typeof response !== "object" || Array.isArray(response)) return response;
  const keys = Object.keys(response);
  const only = keys.length === 1 ? keys[0] : undefined;
  return only !== undefined && wrapperKeys.includes(only)
    ? (response as Record<string, unknown>)[only]
    : response;
}

function errorOf(response: unknown): unknown {
  return response !== null && typeof response === "object" && "error" in response
    ? (response as { error: unknown }).error
    : undefined;
}

/** A readable paragraph about one tool result, for the default responder's summary. */
export function renderToolResult({ name, response }: FunctionResult): string {
  const error = errorOf(response);
  if (error !== undefined) return `The tool \`${name}\` reported an error: ${inline(error)}`;
  return `Here is what \`${name}\` returned:\n\n${block(unwrap(response))}`;
}
