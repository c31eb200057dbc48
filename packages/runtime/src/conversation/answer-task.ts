import type { PluginLogger, UserSettings } from "@agentllm/sdk";
import type { AgentEvent } from "../agents/loop/agent-event.ts";
import type { ModelClient } from "../agents/loop/gemini-stream.ts";
import { runAgent } from "../agents/loop/run-agent.ts";
import type { GeminiToolset } from "../agents/loop/to-gemini-tools.ts";
import type { RegisteredAgent } from "../agents/registry.ts";
import type { ChatMessage } from "./chat-message.ts";
import { fitToContext } from "./fit-context.ts";
import { generationConfig, type TurnParams } from "./generation-config.ts";
import { redactPastedCredentials } from "./redact-pasted.ts";
import { toGeminiConversation } from "./to-gemini-contents.ts";

export interface TaskDeps {
  readonly client: ModelClient;
  readonly defaultModel: string;
  readonly contextTokens: number;
}

export interface TaskRequest {
  readonly agent: RegisteredAgent;
  readonly messages: readonly ChatMessage[];
  readonly params: TurnParams;
  readonly signal: AbortSignal;
  readonly logger: PluginLogger;
}

const NO_TOOLS: GeminiToolset = { tools: [], byName: new Map() };

const NO_SETTINGS = (): UserSettings => {
  throw new Error("a background task runs no tools and reads no settings");
};

/**
 * An Open WebUI background task (a title, tags, follow-up suggestions, a search query): one
 * model call on the task's own prompt, without the agent's instructions or tools. Nothing is
 * stored and the conversation's lock is not taken, so a title never waits behind (or holds up)
 * the user's answer and never becomes part of the chat.
 */
export async function* answerTask(
  deps: TaskDeps,
  request: TaskRequest,
): AsyncGenerator<AgentEvent> {
  const { agent } = request;
  // The task's prompt quotes the chat, pasted tokens included: those go too (nothing is stored).
  const { messages } = redactPastedCredentials(request.messages, agent.definition.toolkits, {
    storedFor: () => ({}),
    logger: request.logger,
  });
  const conversation = toGeminiConversation(messages);
  const fitted = fitToContext(conversation.contents, deps.contextTokens);
  yield* runAgent({
    client: deps.client,
    model: agent.definition.model?.model ?? deps.defaultModel,
    systemInstruction: conversation.system.join("\n\n"),
    contents: fitted.contents,
    toolset: NO_TOOLS,
    // Tasks want a short, plain answer: no thinking (it would only add latency and cost).
    generationConfig: {
      ...generationConfig(agent.definition.model, request.params),
      thinkingConfig: { thinkingBudget: 0 },
    },
    maxSteps: 1,
    toolEnv: {
      userId: undefined,
      sessionId: undefined,
      signal: request.signal,
      defaultTimeoutMs: 1,
      logger: request.logger,
      settingsFor: NO_SETTINGS,
    },
  });
}
