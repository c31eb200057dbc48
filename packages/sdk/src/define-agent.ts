import type { ToolkitDefinition } from "./define-toolkit.ts";
import type { UserSettings } from "./user-settings.ts";

/** What an agent's dynamic instructions may look at. */
export interface InstructionContext {
  readonly userId: string | undefined;
  /** Read a toolkit's per-user settings, e.g. to tell the model what it already knows. */
  settingsFor(toolkit: ToolkitDefinition): UserSettings;
}

/** Model parameters an agent sets; a request's own values override them. */
export interface ModelDefaults {
  /** Gemini model id, e.g. "gemini-2.5-flash". */
  readonly model?: string;
  readonly temperature?: number;
  readonly maxOutputTokens?: number;
  readonly topP?: number;
  /** Gemini thinking budget in tokens; 0 turns thinking off. */
  readonly thinkingBudget?: number;
  /**
   * Stream the model's thought summaries to the client as `reasoning_content` (Open WebUI shows
   * them in a collapsible thinking block, apart from the answer). Off by default; no effect
   * when `thinkingBudget` is 0.
   */
  readonly includeThoughts?: boolean;
}

export interface AgentDefinition {
  /** The model id clients use, without the `agno/` prefix: `demo-agent` → `agno/demo-agent`. */
  readonly name: string;
  /** One line, shown in model lists. */
  readonly description: string;
  /** The system instruction: fixed text, or built per request. */
  readonly instructions: string | ((ctx: InstructionContext) => string | Promise<string>);
  readonly model?: ModelDefaults;
  readonly toolkits: readonly ToolkitDefinition[];
  /** Upper bound on model calls in one run (each tool round is one step). */
  readonly maxSteps?: number;
  /**
   * Documents the agent answers from: the runtime indexes the folder (Markdown, text, CSV,
   * PDF) and gives the agent a `search_knowledge` tool whose results cite file and section.
   * See docs/creating-agents.md.
   */
  readonly knowledge?: KnowledgeOptions;
}

export interface KnowledgeOptions {
  /** Relative to the agent package's folder (where its package.json is); default `knowledge`. */
  readonly folder?: string;
}

/** Declares an agent. Returns its input, typed. */
export function defineAgent<const T extends AgentDefinition>(agent: T): T {
  return agent;
}
