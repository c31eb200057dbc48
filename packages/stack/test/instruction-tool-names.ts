import type { AgentDefinition, InstructionContext, ToolkitDefinition } from "@agentllm/sdk";

/**
 * The rule: an agent's instructions may name only tools the agent has. A word is taken as naming
 * a tool when it is a snake_case identifier (lower-case letters and digits, at least one `_`)
 * and any of these holds:
 * - it is a tool name of some toolkit in the repository (given as `knownTools`);
 * - it is written in backticks (`` `get_issue` ``);
 * - it is followed by `(`, as a call is written (`get_issue(...)`);
 * - it follows "call", "calls", "calling", "use" or "using", backticked or not.
 * Such a word must be one of the agent's own tools, or a parameter of one of them (instructions
 * may say which argument to pass). Upper-case names (environment variables) are not snake_case.
 */
export interface ToolMention {
  readonly name: string;
  /** Up to 40 characters either side, for the failure message. */
  readonly context: string;
}

const SNAKE = /[a-z][a-z0-9]*(?:_[a-z0-9]+)+/g;
const VERB = /\b(?:call|calls|calling|use|using)\s+(?:the\s+)?`?$/i;

/** Every word of `text` that the rule takes as naming a tool. */
export function toolMentions(text: string, knownTools: ReadonlySet<string>): ToolMention[] {
  const mentions: ToolMention[] = [];
  for (const match of text.matchAll(SNAKE)) {
    const start = match.index;
    const end = start + match[0].length;
    const before = text.slice(0, start);
    // Part of a longer word (CamelCase, a path, a URL's id): not an identifier of its own.
    if (/[A-Za-z0-9_./-]$/.test(before) || /^[A-Za-z0-9_]/.test(text.slice(end))) continue;
    const backticked = before.endsWith("`") && text[end] === "`";
    const called = /^\s*\(/.test(text.slice(end));
    if (knownTools.has(match[0]) || backticked || called || VERB.test(before)) {
      mentions.push({
        name: match[0],
        context: text.slice(Math.max(0, start - 40), end + 40).replace(/\s+/g, " "),
      });
    }
  }
  return mentions;
}

/** Instruction contexts an agent meets: a signed-in user with no settings, and an anonymous one. */
export function plausibleContexts(): InstructionContext[] {
  const empty = { get: async () => undefined, set: async () => {}, delete: async () => {} };
  return [
    { userId: "user-1", settingsFor: () => empty },
    { userId: undefined, settingsFor: () => empty },
  ];
}

/** The mentions in `agent`'s instructions (each plausible context) of tools it does not have. */
export async function missingToolMentions(
  agent: AgentDefinition,
  knownTools: ReadonlySet<string>,
): Promise<ToolMention[]> {
  const own = new Set<string>();
  for (const toolkit of agent.toolkits) {
    for (const [name, tool] of Object.entries(toolkit.tools)) {
      own.add(name);
      for (const parameter of parameterNames(tool.parameters)) own.add(parameter);
    }
  }
  const texts =
    typeof agent.instructions === "string"
      ? [agent.instructions]
      : await Promise.all(
          plausibleContexts().map(async (ctx) =>
            (agent.instructions as (c: InstructionContext) => string | Promise<string>)(ctx),
          ),
        );
  const seen = new Set<string>();
  return texts
    .flatMap((text) => toolMentions(text, knownTools))
    .filter((mention) => !own.has(mention.name))
    .filter((mention) => !seen.has(mention.name) && seen.add(mention.name) !== undefined);
}

/** Every tool name of these toolkits. */
export function toolNamesOf(toolkits: readonly ToolkitDefinition[]): Set<string> {
  return new Set(toolkits.flatMap((toolkit) => Object.keys(toolkit.tools)));
}

function parameterNames(schema: unknown): string[] {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  return shape && typeof shape === "object" ? Object.keys(shape) : [];
}
