import { stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { AgentDefinition, ToolkitDefinition } from "@agentllm/sdk";
import { z } from "zod";
import { MAX_TIMER_MS } from "../config.ts";
import { InvalidAgentPackageError } from "../errors/invalid-agent-package-error.ts";
import { UnknownAgentError } from "../errors/unknown-agent-error.ts";
import {
  type AgentPackage,
  discoverAgentPackages,
  resolveAgentEntry,
} from "./discover-agent-packages.ts";
import { DEFAULT_MAX_TOOL_RESULT_BYTES, MIN_TOOL_RESULT_BYTES } from "./loop/bound-tool-result.ts";
import { type GeminiToolset, InvalidToolError, toGeminiTools } from "./loop/to-gemini-tools.ts";

/** The prefix clients put before an agent's name: `agno/demo-agent`. */
export const MODEL_PREFIX = "agno/";

/** What `agno/<name>` may be: also a LiteLLM model name and a folder name (`agent-<name>`). */
export const AGENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Upper bound on a tool's own `maxResultBytes`: far beyond what a model turn can use. */
const MAX_RESULT_BYTES = 64 * 1024 * 1024;

// Checks the shape the runtime relies on; the SDK's types already guide authors, this catches
// plain-JS packages and version skew at start instead of mid-request.
const toolSchema = z.looseObject({
  description: z.string().min(1),
  parameters: z.custom<z.ZodType>((value) => value instanceof z.ZodType, "must be a zod schema"),
  execute: z.custom<(...args: unknown[]) => unknown>((value) => typeof value === "function"),
  timeoutMs: z.number().int().positive().max(MAX_TIMER_MS).optional(),
  maxResultBytes: z.number().int().min(MIN_TOOL_RESULT_BYTES).max(MAX_RESULT_BYTES).optional(),
  // The phrase's length is bounded where it is made (loop/tool-status.ts), per call.
  status: z
    .union([z.string(), z.custom<(args: unknown) => unknown>((v) => typeof v === "function")])
    .optional(),
});
const agentSchema = z.looseObject({
  name: z.string().regex(AGENT_NAME, "must be lower-case letters, digits and dashes"),
  description: z.string(),
  instructions: z.union([z.string(), z.custom<() => unknown>((v) => typeof v === "function")]),
  toolkits: z.array(
    z.looseObject({
      name: z.string().min(1),
      // Tool names are checked with the schemas in toGeminiTools, which names agent and toolkit.
      tools: z.record(z.string(), toolSchema),
      // The runtime names the credential in the connect answer and keys the vault by its kind.
      credential: z
        .looseObject({ kind: z.enum(["api-token", "oauth2"]), title: z.string().min(1) })
        .optional(),
    }),
  ),
  maxSteps: z.number().int().positive().max(100).optional(),
  knowledge: z.looseObject({ folder: z.string().min(1).optional() }).optional(),
});

export interface RegisteredAgent {
  readonly definition: AgentDefinition;
  readonly packageName: string;
  /** The agent's function declarations and tool index, built and checked when it loaded. */
  readonly toolset: GeminiToolset;
}

export interface LoadOptions {
  /** Result cap for tools without their own `maxResultBytes` (`AGENTLLM_MAX_TOOL_RESULT_BYTES`). */
  readonly maxToolResultBytes?: number;
  /**
   * The `search_knowledge` toolkit for an agent that declares `knowledge` (folder absolute,
   * checked to exist); without it such an agent loads without the tool.
   */
  readonly knowledge?: (agent: string, folder: string) => ToolkitDefinition;
}

/** Agent name → definition, loaded once at start from discovered packages. */
export class AgentRegistry {
  readonly #agents: ReadonlyMap<string, RegisteredAgent>;

  constructor(agents: readonly RegisteredAgent[]) {
    const map = new Map<string, RegisteredAgent>();
    for (const agent of agents) {
      const existing = map.get(agent.definition.name);
      if (existing) {
        throw new Error(
          `two packages define the agent '${agent.definition.name}': ${existing.packageName} and ${agent.packageName}`,
        );
      }
      map.set(agent.definition.name, agent);
    }
    this.#agents = map;
  }

  /** Accepts `agno/demo-agent` and `demo-agent`. */
  resolve(model: string): RegisteredAgent {
    const name = model.startsWith(MODEL_PREFIX) ? model.slice(MODEL_PREFIX.length) : model;
    const agent = this.#agents.get(name);
    if (!agent) throw new UnknownAgentError(model, this.names());
    return agent;
  }

  names(): string[] {
    return [...this.#agents.keys()].sort();
  }

  list(): RegisteredAgent[] {
    return this.names().map((name) => this.#agents.get(name) as RegisteredAgent);
  }
}

/**
 * Resolves the package's agent entry (see `resolveAgentEntry`), imports it, checks its default
 * export and builds its Gemini toolset (every tool schema converted and checked); any failure is
 * an `InvalidAgentPackageError` naming the package folder (and the agent and tool at fault).
 */
export async function loadAgentPackage(
  pkg: AgentPackage,
  options: LoadOptions = {},
): Promise<RegisteredAgent> {
  const entry = resolveAgentEntry(pkg);
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(entry).href);
  } catch (error) {
    const hint =
      (error as NodeJS.ErrnoException).code === "ERR_UNKNOWN_FILE_EXTENSION"
        ? " (plain node cannot run TypeScript: a compiled runtime, started with `--conditions=production`, loads the compiled file the package exports under `production`; TypeScript runs under `node --import tsx`. See docs/creating-agents.md)"
        : "";
    throw new InvalidAgentPackageError(
      pkg.packageDir,
      `cannot import ${entry}: ${(error as Error).message}${hint}`,
    );
  }
  const parsed = agentSchema.safeParse(module.default);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "default export"} ${issue.message}`)
      .join("; ");
    throw new InvalidAgentPackageError(pkg.packageDir, `default export is not an agent: ${reason}`);
  }
  let definition = module.default as AgentDefinition;
  if (definition.knowledge && options.knowledge) {
    const folder = path.resolve(pkg.packageDir, definition.knowledge.folder ?? "knowledge");
    if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
      throw new InvalidAgentPackageError(
        pkg.packageDir,
        `agent '${definition.name}': knowledge folder ${folder} is not a directory`,
      );
    }
    definition = {
      ...definition,
      toolkits: [...definition.toolkits, options.knowledge(definition.name, folder)],
    };
  }
  let toolset: GeminiToolset;
  try {
    toolset = toGeminiTools(definition.toolkits, {
      defaultMaxResultBytes: options.maxToolResultBytes ?? DEFAULT_MAX_TOOL_RESULT_BYTES,
    });
  } catch (error) {
    if (!(error instanceof InvalidToolError)) throw error;
    throw new InvalidAgentPackageError(
      pkg.packageDir,
      `agent '${definition.name}': ${error.message}`,
    );
  }
  return { definition, packageName: pkg.packageName, toolset };
}

export async function loadAgentRegistry(
  dirs: readonly string[],
  options: LoadOptions = {},
): Promise<AgentRegistry> {
  const packages = await discoverAgentPackages(dirs);
  return new AgentRegistry(
    await Promise.all(packages.map((pkg) => loadAgentPackage(pkg, options))),
  );
}
