import type { z } from "zod";
import type { CredentialDefinition, ToolCredential } from "./credentials.ts";
import type { PluginLogger } from "./logger.ts";
import type { UserSettings } from "./user-settings.ts";

/** What a tool's `execute` gets besides its arguments. */
export interface ToolContext {
  /** The user the request runs for; undefined for an anonymous, stateless request. */
  readonly userId: string | undefined;
  /** The conversation this call belongs to, when the client named one. */
  readonly sessionId: string | undefined;
  /**
   * Aborts when the client goes away or the tool's timeout passes. Pass it to every
   * fetch or child process the tool starts.
   */
  readonly signal: AbortSignal;
  readonly logger: PluginLogger;
  /** This toolkit's per-user values (see {@link UserSettings}). */
  readonly settings: UserSettings;
  /**
   * This toolkit's credential for the current user (see {@link ToolCredential}); only for a
   * toolkit that declares one, else `get()` throws.
   */
  readonly credential: ToolCredential;
  /**
   * The runtime's `fetch` for this call: use it for the tool's HTTP requests (the runtime traces
   * each one as a client span under the tool's: method, host, route without ids, status). Absent
   * outside the runtime (tests); fall back to the global `fetch` then.
   */
  readonly fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export interface ToolDefinition<TParams extends z.ZodType = z.ZodType, TResult = unknown> {
  /** Shown to the model: say what the tool does and when to call it. */
  readonly description: string;
  /** Validates the model's arguments; also becomes the function declaration's JSON schema. */
  readonly parameters: TParams;
  /**
   * Runs the tool. Throwing is fine: the model sees `{ error: message }` and can recover.
   * The result is sent to the model as JSON, so return plain data.
   */
  execute(args: z.infer<TParams>, ctx: ToolContext): Promise<TResult> | TResult;
  /** Overrides the runtime's per-tool timeout (milliseconds). */
  readonly timeoutMs?: number;
  /**
   * Overrides the runtime's cap on this tool's result (`AGENTLLM_MAX_TOOL_RESULT_BYTES`,
   * default 64 KiB), measured on the JSON the model gets; at least 1024. A larger result is
   * cut (long strings shortened, long lists and objects ended early) and the model is told so.
   */
  readonly maxResultBytes?: number;
  /**
   * What the user sees while the tool runs, as a status line above the answer ("Searching
   * Jira…"): fixed, or made from the validated arguments. Shown to the user, not the model:
   * never put a secret in it, nor an argument that may hold one (a token, a free-text body).
   * Cut to 120 characters; without it the runtime makes one from the tool's name.
   */
  readonly status?: ToolStatus<z.infer<TParams>>;
  /**
   * Declares that the tool changes something outside the conversation (writes to Jira, sends
   * mail). Such a call never runs when the model asks for it: the runtime shows the user what
   * it would do and runs it only after the user approves in their next message.
   */
  readonly sideEffect?: SideEffect<z.infer<TParams>>;
}

/** How a tool with side effects is shown to the user who must approve a call. */
export interface SideEffect<TArgs> {
  /**
   * One line naming the action and its target for a human, e.g. "Add a comment to PROJ-1".
   * Gets the validated arguments; the runtime lists every argument below it anyway.
   */
  describe(args: TArgs): string;
}

/**
 * A tool's status phrase, or a function of its arguments that makes one. Declared through a
 * method so a tool with typed arguments still fits `ToolDefinition` (method parameters are
 * checked bivariantly).
 */
export type ToolStatus<TArgs> = string | { phrase(args: TArgs): string }["phrase"];

export interface ToolkitDefinition {
  /** Unique among toolkits; also the namespace of the toolkit's user settings. */
  readonly name: string;
  readonly description?: string;
  /** Tool name → tool. Names must match `^[a-zA-Z_][a-zA-Z0-9_]{0,63}$` (Gemini's rule). */
  readonly tools: Readonly<Record<string, ToolDefinition>>;
  /** What each user must connect before the tools can act as them (see credentials.ts). */
  readonly credential?: CredentialDefinition;
}

/**
 * Declares one tool. Returns its input, typed: `args` in `execute` is inferred from the
 * zod schema, so the tool body and the model's contract cannot drift apart.
 */
export function defineTool<TParams extends z.ZodType, TResult>(
  tool: ToolDefinition<TParams, TResult>,
): ToolDefinition<TParams, TResult> {
  return tool;
}

/** Declares a toolkit: a named group of tools sharing settings and, optionally, a credential. */
export function defineToolkit<const T extends ToolkitDefinition>(toolkit: T): T {
  return toolkit;
}
