import {
  CredentialRequiredError,
  type PluginLogger,
  type ToolContext,
  type UserSettings,
  undeclaredCredential,
} from "@agentllm/sdk";
import type { MissingCredential } from "../../connect/connect-answer.ts";
import { runtimeFetch } from "../../tracing/traced-fetch.ts";
import { inSpan } from "../../tracing/tracer.ts";
import {
  NO_SIGNED_IN_USER,
  neverConnected,
  type RequestCredentials,
} from "../../vault/request-credentials.ts";
import { scrubJson, scrubText } from "../../vault/scrub-secrets.ts";
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
  /** The user's credentials for this request; without it no toolkit is ever connected. */
  readonly credentials?: RequestCredentials;
}

export interface ToolOutcome {
  /**
   * A JSON object, as Gemini's functionResponse.response requires, at most the tool's
   * `maxResultBytes` of JSON: the model, the session store and the tool card all get this.
   */
  readonly result: Record<string, unknown>;
  readonly isError: boolean;
  /**
   * Set when the tool threw `CredentialRequiredError`: the run ends with a connect answer
   * instead of handing the model an error (see run-agent.ts).
   */
  readonly credentialRequired?: MissingCredential;
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
  // Name, toolkit and outcome only: arguments and results are user data.
  return inSpan(
    `tool ${call.indexed ? call.name : "unknown"}`,
    {
      attributes: {
        // A name the model made up is not a tool: it is not recorded.
        "agentllm.tool.name": call.indexed ? call.name : "unknown",
        ...(call.indexed ? { "agentllm.toolkit": call.indexed.toolkit.name } : {}),
      },
    },
    async (span) => {
      try {
        const outcome = await boundedToolCall(call, env);
        span.setAttribute("agentllm.tool.outcome", outcome.kind);
        return outcome.outcome;
      } catch (error) {
        span.setAttribute("agentllm.tool.outcome", "aborted");
        throw error;
      }
    },
  );
}

async function boundedToolCall(
  call: ToolCallRequest,
  env: ToolCallEnv,
): Promise<{ outcome: ToolOutcome; kind: OutcomeKind }> {
  const raw = await runToolCall(call, env);
  // Scrubbed before anything else sees it: the model, the session, the tool card, the logs.
  const forms = env.credentials?.scrubForms() ?? [];
  const result = scrubJson(raw.result, forms);
  const json = result === raw.result ? raw.json : undefined;
  const maxBytes = call.indexed?.maxResultBytes ?? DEFAULT_MAX_TOOL_RESULT_BYTES;
  const bounded = boundToolResult(result, maxBytes, json);
  if (bounded.truncated) {
    env.logger.info(
      { tool: call.name, bytes: bounded.bytes, originalBytes: bounded.originalBytes, maxBytes },
      "tool result truncated",
    );
  }
  return {
    outcome: {
      result: bounded.result,
      isError: raw.isError,
      ...(raw.credentialRequired ? { credentialRequired: raw.credentialRequired } : {}),
    },
    kind: raw.kind ?? (raw.isError ? "error" : "ok"),
  };
}

/** How a tool call ended, as its span records it. */
type OutcomeKind =
  | "ok"
  | "error"
  | "timeout"
  | "invalid_arguments"
  | "unknown_tool"
  | "credential_required";

interface RawOutcome extends ToolOutcome {
  /** The result's JSON when already made, so a large result is serialised once. */
  readonly json?: string;
  readonly kind?: OutcomeKind;
}

async function runToolCall(call: ToolCallRequest, env: ToolCallEnv): Promise<RawOutcome> {
  // A request that is already gone must not start side effects (saving a setting, a Jira write).
  env.signal.throwIfAborted();
  if (!call.indexed) return failure(`Unknown tool '${call.name}'.`, "unknown_tool");
  const { tool, toolkit } = call.indexed;

  const parsed = tool.parameters.safeParse(call.args ?? {});
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "arguments"}: ${issue.message}`)
      .join("; ");
    return failure(`Invalid arguments for '${call.name}': ${details}`, "invalid_arguments");
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
    credential: env.credentials?.forToolkit(toolkit) ?? undeclaredCredential(toolkit.name),
    // Each HTTP request the tool makes becomes a client span under this tool's span.
    fetch: runtimeFetch,
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
    if (signal.aborted) {
      return failure(`Tool '${call.name}' timed out after ${timeoutMs} ms.`, "timeout");
    }
    if (isCredentialRequired(error)) {
      const title = toolkitTitle(call.indexed, error.toolkit);
      logger.info({ tool: call.name, toolkit: error.toolkit }, "tool needs a credential");
      // Shown to the user and stored: a tool quoting the token here is scrubbed too.
      const reason = scrubText(error.reason, env.credentials?.scrubForms() ?? []);
      return {
        ...credentialRequiredResult(title, reason),
        kind: "credential_required",
        credentialRequired: { toolkit: error.toolkit, title, reason },
      };
    }
    // Tool errors often echo their arguments (user content): only the class at info.
    logger.info(
      { tool: call.name, errorClass: (error as Error)?.name ?? typeof error },
      "tool failed",
    );
    const forms = env.credentials?.scrubForms() ?? [];
    logger.debug(
      { tool: call.name, err: scrubText(errorMessage(error), forms) },
      "tool failure detail",
    );
    return failure(errorMessage(error));
  }
}

/**
 * What the model, the session and the tool card get when a tool needed a credential. A service
 * that refused the stored one is a failed call. One never connected is not: the run ends with a
 * link for the user, and the result has no `error` field, which Open WebUI draws as a failed call
 * (a red ✗) and the metrics would count as a tool error.
 */
function credentialRequiredResult(
  title: string,
  reason: string,
): Pick<ToolOutcome, "result" | "isError"> {
  if (!neverConnected(reason)) {
    return {
      result: {
        error: `${title} did not accept the user's credentials (${reason}): the run ends here and the user was given a link to connect again. Call the tool again once they say they have connected.`,
      },
      isError: true,
    };
  }
  const note =
    reason === NO_SIGNED_IN_USER
      ? `Nobody is signed in, so ${title} cannot be used: the run ends here and the user was told to sign in.`
      : `The user has not connected ${title}: the run ends here and the user was given a link to connect it. Call the tool again once they say they have connected.`;
  return { result: { not_connected: title, note }, isError: false };
}

/**
 * By name as well as class: an agent package may bring its own copy of the SDK (a compiled one
 * beside the runtime's sources), and its error class is then a different object.
 */
function isCredentialRequired(error: unknown): error is CredentialRequiredError {
  if (error instanceof CredentialRequiredError) return true;
  const candidate = error as Partial<CredentialRequiredError> | null;
  return (
    candidate instanceof Error &&
    candidate.name === "CredentialRequiredError" &&
    typeof candidate.toolkit === "string" &&
    typeof candidate.reason === "string"
  );
}

function toolkitTitle(indexed: IndexedTool, toolkit: string): string {
  return indexed.toolkit.name === toolkit && indexed.toolkit.credential
    ? indexed.toolkit.credential.title
    : toolkit;
}

function failure(message: string, kind: OutcomeKind = "error"): RawOutcome {
  return { result: { error: message }, isError: true, kind };
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
