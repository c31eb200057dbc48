import type { InstructionContext, PluginLogger } from "@agentllm/sdk";
import type { Content } from "@google/genai";
import { type AgentEvent, emptyUsage } from "../agents/loop/agent-event.ts";
import type { ToolCallEnv } from "../agents/loop/execute-tool-call.ts";
import type { ModelClient } from "../agents/loop/gemini-stream.ts";
import { type ApprovalGate, runAgent } from "../agents/loop/run-agent.ts";
import type { RegisteredAgent } from "../agents/registry.ts";
import { approvalAnswer } from "../approval/approval-answer.ts";
import type { ApprovalOutcome, Approvals } from "../approval/approvals.ts";
import { resumeApproval } from "../approval/resume-approval.ts";
import { connectAnswer } from "../connect/connect-answer.ts";
import type { ConnectLinks } from "../connect/connect-links.ts";
import type { GoogleOAuth } from "../oauth/google-oauth.ts";
import { SessionBusyError } from "../sessions/session-busy-error.ts";
import type { SessionLease, SessionLocks } from "../sessions/session-lock.ts";
import type { SessionKey } from "../sessions/session-store.ts";
import { inSpan } from "../tracing/tracer.ts";
import type { CredentialVault } from "../vault/credential-vault.ts";
import { DISCONNECT_TOOL, withDisconnectTool } from "../vault/disconnect-service.ts";
import { RequestCredentials } from "../vault/request-credentials.ts";
import type { ChatMessage } from "./chat-message.ts";
import { connectionsNote } from "./connections-note.ts";
import { generationConfig, type TurnParams } from "./generation-config.ts";
import {
  DEFAULT_PASTE_VALIDATE_TIMEOUT_MS,
  pastedCredentialAnswer,
} from "./pasted-credential-answer.ts";
import { type ContextDeps, prepareContext } from "./prepare-context.ts";
import { TurnRecorder } from "./record-turn.ts";
import { redactPastedCredentials } from "./redact-pasted.ts";
import { requestSettings, type SettingsProvider } from "./request-settings.ts";
import { toGeminiConversation } from "./to-gemini-contents.ts";

export type { TurnParams } from "./generation-config.ts";
export type { SettingsProvider } from "./request-settings.ts";

export interface TurnRequest {
  readonly agent: RegisteredAgent;
  readonly messages: readonly ChatMessage[];
  readonly params: TurnParams;
  /** Undefined: an anonymous request, which is stateless and has no per-user data. */
  readonly userId: string | undefined;
  readonly sessionId: string | undefined;
  readonly signal: AbortSignal;
  readonly logger: PluginLogger;
}

export interface TurnDeps extends ContextDeps {
  readonly client: ModelClient;
  readonly settings: SettingsProvider;
  readonly defaultModel: string;
  readonly defaultMaxSteps: number;
  readonly toolTimeoutMs: number;
  /** Bounds on one step's tool calls (run-agent.ts); its defaults when absent. */
  readonly tools?: { readonly maxParallel: number; readonly maxCallsPerStep: number };
  /** One run per session at a time: a second request waits (bounded), then gets 409. */
  readonly locks: Pick<SessionLocks, "acquire">;
  /** Each user's credentials; without a vault no toolkit is ever connected. */
  readonly vault?: CredentialVault | undefined;
  /** Renews OAuth access tokens (Google); absent when no Google client is configured. */
  readonly google?: GoogleOAuth | undefined;
  /** Connect links for the detour; undefined when no public URL is configured. */
  readonly connectLinks?: ConnectLinks | undefined;
  /** How long a pasted credential's check may take (the connect page's limit). */
  readonly validateTimeoutMs?: number | undefined;
  /**
   * Approval before side effects; without it (and in stateless requests) side-effect tools
   * never run.
   */
  readonly approvals?: Approvals | undefined;
}

/**
 * One chat turn, in three stages: prepare the context (`prepare-context.ts`), run the agent
 * (`agents/loop/run-agent.ts`), record the turn (`record-turn.ts`). The session's lock is held
 * from reading the session to writing the turn, so two requests of one conversation never
 * interleave. Yields the loop's events.
 */
export async function* runTurn(deps: TurnDeps, request: TurnRequest): AsyncGenerator<AgentEvent> {
  const { agent, userId, sessionId } = request;
  const definition = agent.definition;
  const sessionKey: SessionKey | undefined =
    userId !== undefined && sessionId !== undefined
      ? { userId, agent: definition.name, sessionId }
      : undefined;
  const settingsFor = requestSettings(deps.settings, userId);
  const instructionContext: InstructionContext = {
    userId,
    settingsFor: (toolkit) => settingsFor(toolkit.name),
  };
  const rendered =
    typeof definition.instructions === "function"
      ? await definition.instructions(instructionContext)
      : definition.instructions;
  const credentials = new RequestCredentials(deps.vault, userId, request.logger, deps.google);
  const statuses = await credentials.statuses(definition.toolkits);
  // Before anything reads the messages: hashing, storing, logging, the model.
  const pasted = redactPastedCredentials(request.messages, definition.toolkits, {
    storedFor: (toolkit) => statuses.find((status) => status.toolkit === toolkit)?.metadata ?? {},
    logger: request.logger,
  });
  if (pasted.redactions > 0) {
    request.logger.info(
      { redactions: pasted.redactions, inNewTurn: pasted.latest.map((item) => item.toolkit) },
      "pasted credentials redacted",
    );
  }
  const toolset = withDisconnectTool(agent.toolset, definition.toolkits, credentials, {
    signedIn: userId !== undefined,
    logger: request.logger,
  });
  const note = connectionsNote(statuses, userId !== undefined, {
    disconnectTool: toolset !== agent.toolset ? DISCONNECT_TOOL : undefined,
  });
  const instructions = note ? `${rendered}\n\n${note}` : rendered;

  const lease = sessionKey
    ? await waitForSession(deps.locks, sessionKey, request.signal)
    : undefined;
  // A database lock lost mid-run (its connection died) stops the run, stored as partial:
  // another runtime may take the conversation from now on, and two runs must never interleave.
  const lost = lease?.lost;
  const signal = lost ? AbortSignal.any([request.signal, lost]) : request.signal;
  try {
    const conversation = toGeminiConversation(pasted.messages);
    const context = await prepareContext(deps, {
      sessionKey,
      conversation,
      instructions,
      signal,
      logger: request.logger,
    });
    const recorder =
      sessionKey && context.history
        ? new TurnRecorder(deps.sessions, sessionKey, context.history, request.logger)
        : undefined;
    const toolEnv: ToolCallEnv = {
      userId,
      sessionId,
      signal,
      defaultTimeoutMs: deps.toolTimeoutMs,
      logger: request.logger,
      settingsFor,
      credentials,
    };
    const approvals = sessionKey && recorder ? deps.approvals : undefined;
    // Inside the lock and after reading the session: the user's message may answer the request
    // the previous answer made. A pasted credential is never a reply.
    const outcome: ApprovalOutcome | undefined =
      approvals && sessionKey && pasted.latest.length === 0
        ? await approvals.resolve(sessionKey, conversation.contents, request.logger)
        : undefined;
    if (outcome) request.logger.info({ approval: outcome.kind }, "reply to an approval request");
    const gate: ApprovalGate | undefined =
      approvals && sessionKey && recorder
        ? {
            async request(held) {
              const text = approvalAnswer(
                held.map((call) => ({
                  description: call.description,
                  tool: call.name,
                  args: call.validated,
                })),
                approvals.ttlSeconds,
              );
              await approvals.request(sessionKey, recorder.prefixKeyWith(text), held);
              return text;
            },
          }
        : undefined;
    const events =
      pasted.latest.length > 0
        ? runtimeAnswer(() =>
            pastedCredentialAnswer(pasted.latest, {
              userId,
              vault: deps.vault,
              links: deps.connectLinks,
              validateTimeoutMs: deps.validateTimeoutMs ?? DEFAULT_PASTE_VALIDATE_TIMEOUT_MS,
              signal,
              logger: request.logger,
            }),
          )
        : withPrelude(outcome ? resumeApproval(outcome, toolset, toolEnv) : undefined, (prelude) =>
            runAgent({
              client: deps.client,
              model: definition.model?.model ?? deps.defaultModel,
              systemInstruction: context.systemInstruction,
              contents: context.contents,
              toolset,
              generationConfig: generationConfig(definition.model, request.params),
              maxSteps: definition.maxSteps ?? deps.defaultMaxSteps,
              ...(deps.tools
                ? {
                    maxParallelTools: deps.tools.maxParallel,
                    maxToolCallsPerStep: deps.tools.maxCallsPerStep,
                  }
                : {}),
              toolEnv,
              connectAnswer: (missing) =>
                connectAnswer(missing, {
                  userId,
                  links: deps.connectLinks,
                  logger: request.logger,
                }),
              ...(gate ? { approval: gate } : {}),
              prelude,
            }),
          );
    try {
      for await (const event of events) {
        recorder?.observe(event);
        yield event;
      }
    } catch (error) {
      // The run stopped because its lock went, not because the client left: say so.
      if (lost?.aborted && !request.signal.aborted) throw lost.reason;
      throw error;
    } finally {
      // Written after the run, whatever ended it; the request's signal may be aborted by now.
      await recorder?.save();
    }
  } finally {
    lease?.release();
  }
}

/** The resumed step's events first (an approval's), then the run that continues from it. */
async function* withPrelude(
  resumed: AsyncGenerator<AgentEvent, Content[]> | undefined,
  run: (prelude: readonly Content[]) => AsyncGenerator<AgentEvent>,
): AsyncGenerator<AgentEvent> {
  const prelude = resumed ? yield* resumed : [];
  yield* run(prelude);
}

/** A turn the runtime answers itself, without the model: one text, recorded like a model's. */
async function* runtimeAnswer(answer: () => Promise<string>): AsyncGenerator<AgentEvent> {
  const text = await answer();
  yield { type: "text-delta", text };
  yield {
    type: "finish",
    finishReason: "stop",
    usage: emptyUsage(),
    steps: [],
    newContents: [{ role: "model", parts: [{ text }] }],
  };
}

/** The session's lock, in a span: how long this request waited for the conversation's last run. */
async function waitForSession(
  locks: Pick<SessionLocks, "acquire">,
  key: SessionKey,
  signal: AbortSignal,
): Promise<SessionLease> {
  return inSpan("session lock wait", {}, async (span) => {
    try {
      const lease = await locks.acquire(key, { signal });
      span.setAttribute("agentllm.lock.outcome", "acquired");
      return lease;
    } catch (error) {
      span.setAttribute(
        "agentllm.lock.outcome",
        signal.aborted ? "aborted" : error instanceof SessionBusyError ? "busy" : "unavailable",
      );
      throw error;
    }
  });
}
