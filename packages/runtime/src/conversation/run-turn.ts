import type { InstructionContext, PluginLogger } from "@agentllm/sdk";
import type { AgentEvent } from "../agents/loop/agent-event.ts";
import type { ModelClient } from "../agents/loop/gemini-stream.ts";
import { runAgent } from "../agents/loop/run-agent.ts";
import type { RegisteredAgent } from "../agents/registry.ts";
import { connectAnswer } from "../connect/connect-answer.ts";
import type { ConnectLinks } from "../connect/connect-links.ts";
import type { GoogleOAuth } from "../oauth/google-oauth.ts";
import type { SessionLocks } from "../sessions/session-lock.ts";
import type { SessionKey } from "../sessions/session-store.ts";
import type { CredentialVault } from "../vault/credential-vault.ts";
import { RequestCredentials } from "../vault/request-credentials.ts";
import type { ChatMessage } from "./chat-message.ts";
import { connectionsNote } from "./connections-note.ts";
import { generationConfig, type TurnParams } from "./generation-config.ts";
import { type ContextDeps, prepareContext } from "./prepare-context.ts";
import { TurnRecorder } from "./record-turn.ts";
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
  /** One run per session at a time: a second request waits (bounded), then gets 409. */
  readonly locks: Pick<SessionLocks, "acquire">;
  /** Each user's credentials; without a vault no toolkit is ever connected. */
  /** Renews OAuth access tokens (Google); absent when no Google client is configured. */
  readonly google?: GoogleOAuth | undefined;
  readonly vault?: CredentialVault | undefined;
  /** Connect links for the detour; undefined when no public URL is configured. */
  readonly connectLinks?: ConnectLinks | undefined;
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
  const note = connectionsNote(
    await credentials.statuses(definition.toolkits),
    userId !== undefined,
  );
  const instructions = note ? `${rendered}\n\n${note}` : rendered;

  const lease = sessionKey
    ? await deps.locks.acquire(sessionKey, { signal: request.signal })
    : undefined;
  try {
    const context = await prepareContext(deps, {
      sessionKey,
      conversation: toGeminiConversation(request.messages),
      instructions,
      signal: request.signal,
      logger: request.logger,
    });
    const recorder =
      sessionKey && context.history
        ? new TurnRecorder(deps.sessions, sessionKey, context.history, request.logger)
        : undefined;
    try {
      for await (const event of runAgent({
        client: deps.client,
        model: definition.model?.model ?? deps.defaultModel,
        systemInstruction: context.systemInstruction,
        contents: context.contents,
        toolset: agent.toolset,
        generationConfig: generationConfig(definition.model, request.params),
        maxSteps: definition.maxSteps ?? deps.defaultMaxSteps,
        toolEnv: {
          userId,
          sessionId,
          signal: request.signal,
          defaultTimeoutMs: deps.toolTimeoutMs,
          logger: request.logger,
          settingsFor,
          credentials,
        },
        connectAnswer: (missing) =>
          connectAnswer(missing, { userId, links: deps.connectLinks, logger: request.logger }),
      })) {
        recorder?.observe(event);
        yield event;
      }
    } finally {
      // Written after the run, whatever ended it; the request's signal may be aborted by now.
      await recorder?.save();
    }
  } finally {
    lease?.release();
  }
}
