import type { InstructionContext, PluginLogger, UserSettings } from "@agentllm/sdk";
import type { Content, GenerateContentConfig } from "@google/genai";
import type { AgentEvent, Usage } from "../agents/loop/agent-event.ts";
import { addUsage, emptyUsage } from "../agents/loop/agent-event.ts";
import type { ModelClient } from "../agents/loop/gemini-stream.ts";
import { runAgent } from "../agents/loop/run-agent.ts";
import type { RegisteredAgent } from "../agents/registry.ts";
import type { ChatMessage } from "../http/chat-request-schema.ts";
import type { SessionLocks } from "../sessions/session-lock.ts";
import type { SessionKey, SessionStore } from "../sessions/session-store.ts";
import { fitToContext } from "./fit-context.ts";
import { reconcileHistory } from "./reconcile-history.ts";
import { toGeminiConversation } from "./to-gemini-contents.ts";

/** The request's model parameters, already validated; each overrides the agent's default. */
export interface TurnParams {
  readonly temperature?: number | undefined;
  readonly maxOutputTokens?: number | undefined;
  readonly topP?: number | undefined;
  readonly stopSequences?: readonly string[] | undefined;
}

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

export interface SettingsProvider {
  scoped(userId: string | undefined, namespace: string): UserSettings;
}

export interface TurnDeps {
  readonly client: ModelClient;
  readonly sessions: SessionStore;
  readonly settings: SettingsProvider;
  readonly defaultModel: string;
  readonly defaultMaxSteps: number;
  readonly toolTimeoutMs: number;
  /** Estimated tokens of history sent to the model; the oldest exchanges go first. */
  readonly contextTokens: number;
  /** One run per session at a time: a second request waits (bounded), then gets 409. */
  readonly locks: Pick<SessionLocks, "acquire">;
}

/**
 * One chat request from start to end: instructions, history, the agent loop, and the turn
 * written to the session (as `partial` when the run did not finish). Yields the loop's events.
 */
export async function* runTurn(deps: TurnDeps, request: TurnRequest): AsyncGenerator<AgentEvent> {
  const { agent, userId, sessionId } = request;
  const definition = agent.definition;
  const sessionKey: SessionKey | undefined =
    userId !== undefined && sessionId !== undefined
      ? { userId, agent: definition.name, sessionId }
      : undefined;

  // One settings object per toolkit for the whole request, so an anonymous user's values
  // (kept in memory) are seen by every tool call and by the instructions alike.
  const settingsByToolkit = new Map<string, UserSettings>();
  const settingsFor = (namespace: string): UserSettings => {
    let settings = settingsByToolkit.get(namespace);
    if (!settings) {
      settings = deps.settings.scoped(userId, namespace);
      settingsByToolkit.set(namespace, settings);
    }
    return settings;
  };

  const conversation = toGeminiConversation(request.messages);
  const instructionContext: InstructionContext = {
    userId,
    settingsFor: (toolkit) => settingsFor(toolkit.name),
  };
  const instructions =
    typeof definition.instructions === "function"
      ? await definition.instructions(instructionContext)
      : definition.instructions;

  // Held from reading the session to writing the turn, so two requests of one conversation
  // never interleave; a request without a session needs no lock.
  const lease = sessionKey
    ? await deps.locks.acquire(sessionKey, { signal: request.signal })
    : undefined;
  try {
    // With a session, stored tool turns rejoin the client's history; without one the client's
    // messages are the whole context.
    const history = sessionKey
      ? reconcileHistory(
          conversation.contents,
          await deps.sessions.listTurns(sessionKey, { signal: request.signal }),
        )
      : { contents: [...conversation.contents], parentId: null, input: [...conversation.contents] };
    const fitted = fitToContext(history.contents, deps.contextTokens);
    if (fitted.omittedExchanges > 0) {
      request.logger.info(
        { omitted: fitted.omittedExchanges },
        "history trimmed to fit the context",
      );
    }
    const systemInstruction = [
      instructions,
      ...conversation.system,
      ...(fitted.omittedExchanges > 0
        ? [
            `(The ${fitted.omittedExchanges} oldest exchanges of this conversation were left out to fit the context window.)`,
          ]
        : []),
    ].join("\n\n");

    let answer = "";
    let steps: readonly Content[] = [];
    let usage: Usage = emptyUsage();
    let finished = false;
    try {
      for await (const event of runAgent({
        client: deps.client,
        model: definition.model?.model ?? deps.defaultModel,
        systemInstruction,
        contents: fitted.contents,
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
        },
      })) {
        if (event.type === "text-delta") answer += event.text;
        if (event.type === "step-finish") usage = addUsage(usage, event.step.usage);
        if (event.type === "finish") {
          steps = event.newContents;
          finished = true;
        }
        yield event;
      }
    } finally {
      if (sessionKey) {
        // Written after the run, whatever ended it; the request's signal may be aborted by now.
        await deps.sessions
          .appendTurn(sessionKey, {
            parentId: history.parentId,
            input: history.input,
            steps: [...steps],
            answer,
            status: finished ? "complete" : "partial",
            usage,
          })
          .catch((error: unknown) =>
            request.logger.error({ err: (error as Error).message }, "could not store the turn"),
          );
      }
    }
  } finally {
    lease?.release();
  }
}

function generationConfig(
  defaults: RegisteredAgent["definition"]["model"],
  params: TurnParams,
): GenerateContentConfig {
  const config: GenerateContentConfig = {};
  const temperature = params.temperature ?? defaults?.temperature;
  const maxOutputTokens = params.maxOutputTokens ?? defaults?.maxOutputTokens;
  const topP = params.topP ?? defaults?.topP;
  if (temperature !== undefined) config.temperature = temperature;
  if (maxOutputTokens !== undefined) config.maxOutputTokens = maxOutputTokens;
  if (topP !== undefined) config.topP = topP;
  if (params.stopSequences?.length) config.stopSequences = [...params.stopSequences];
  const budget = defaults?.thinkingBudget;
  // Thought summaries stream as reasoning_content, which Open WebUI shows as a thinking block.
  config.thinkingConfig =
    budget === 0
      ? { thinkingBudget: 0 }
      : { includeThoughts: true, ...(budget ? { thinkingBudget: budget } : {}) };
  return config;
}
