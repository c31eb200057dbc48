import {
  type PluginLogger,
  type ToolContext,
  type UserSettings,
  undeclaredCredential,
} from "@agentllm/sdk";
import { boundToolResult, DEFAULT_MAX_TOOL_RESULT_BYTES } from "./bound-tool-result.ts";
import { rejectOnAbort, withTimeout } from "./merge-abort-signals.ts";
import type { IndexedTool } from "./to-gemini-tools.ts";

export interface ToolCallRequest {
  readonly name: string;
  readonly args: unknown;
  readonly indexed: IndexedTool | undefined;
}

export interface ToolCallEnv {
  readonly userId: string | undefined;
  readonly sessionId: string | undefined;
  /** The request's signal: aborting it ends the tool and the whole run. */
  readonly signal: AbortSignal;
  readonly defaultTimeoutMs: number;
  readonly logger: PluginLogger;
  settingsFor(toolkitName: string): UserSettings;
}

export interface ToolOutcome {
  /**
   * A JSON object, as Gemini's functionResponse.response requires, at most the tool's
   * `maxResultBytes` of JSON: the model, the session store and the tool card all get this.
   */
  readonly result: Record<string, unknown>;
  readonly isError: boolean;
}

/**
 * Runs one tool call. A tool failure (unknown tool, bad arguments, a throw, a timeout) is a
 * result the model sees and can recover from; only the request's own abort propagates. Every
 * outcome, failures included, is cut to the tool's result cap.
 */
export async function executeToolCall(
  call: ToolCallRequest,
  env: ToolCallEnv,
): Promise<ToolOutcome> {
  const outcome = await runToolCall(call, env);
  const maxBytes = call.indexed?.maxResultBytes ?? DEFAULT_MAX_TOOL_RESULT_BYTES;
  const bounded = boundToolResult(outcome.result, maxBytes, outcome.json);
  if (bounded.truncated) {
    env.logger.info(
      { tool: call.name, bytes: bounded.bytes, originalBytes: bounded.originalBytes, maxBytes },
      "tool result truncated",
    );
  }
  return { result: bounded.result, isError: outcome.isError };
}

interface RawOutcome extends ToolOutcome {
  /** The result's JSON when already made, so a large result is serialised once. */
  readonly json?: string;
}

async function runToolCall(call: ToolCallRequest, env: ToolCallEnv): Promise<RawOutcome> {
  // A request that is already gone must not start side effects (saving a setting, a Jira write).
  env.signal.throwIfAborted();
  if (!call.indexed) return failure(`Unknown tool '${call.name}'.`);
  const { tool, toolkit } = call.indexed;

  const parsed = tool.parameters.safeParse(call.args ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "arguments"}: ${issue.message}`)
      .join("; ");
    return failure(`Invalid arguments for '${call.name}': ${details}`);
  }

  const timeoutMs = tool.timeoutMs ?? env.defaultTimeoutMs;
  const signal = withTimeout(env.signal, timeoutMs);
  const logger = env.logger;
  const ctx: ToolContext = {
    userId: env.userId,
    sessionId: env.sessionId,
    signal,
    logger,
    settings: env.settingsFor(toolkit.name),
    credential: undeclaredCredential(toolkit.name),
  };
  const started = performance.now();
  try {
    // Race the abort too: a tool that ignores its signal must not hold the run hostage.
    const value = await Promise.race([
      rejectOnAbort(signal),
      Promise.resolve(tool.execute(parsed.data, ctx)),
    ]);
    logger.debug({ tool: call.name, ms: Math.round(performance.now() - started) }, "tool finished");
    return { ...toResponseObject(value), isError: false };
  } catch (error) {
    if (env.signal.aborted) throw env.signal.reason;
    if (signal.aborted) return failure(`Tool '${call.name}' timed out after ${timeoutMs} ms.`);
    // Tool errors often echo their arguments (user content): only the class at info.
    logger.info(
      { tool: call.name, errorClass: (error as Error)?.name ?? typeof error },
      "tool failed",
    );
    logger.debug({ tool: call.name, err: errorMessage(error) }, "tool failure detail");
    return failure(errorMessage(error));
  }
}

function failure(message: string): ToolOutcome {
  return { result: { error: message }, isError: true };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toResponseObject(value: unknown): { result: Record<string, unknown>; json: string } {
  // Round-trip through JSON: the model gets exactly what a client could see, no class instances.
  const json = JSON.stringify(value) ?? "null";
  const plain: unknown = JSON.parse(json);
  return plain !== null && typeof plain === "object" && !Array.isArray(plain)
    ? { result: plain as Record<string, unknown>, json }
    : { result: { result: plain }, json: `{"result":${json}}` };
}
