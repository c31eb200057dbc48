import type { AgentEvent, FinishReason, Usage } from "../agents/loop/agent-event.ts";
import { renderToolCard } from "../conversation/tool-card.ts";

/** The only module that knows the OpenAI wire shapes of a completion. */
export interface CompletionIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** OpenAI's field for the prompt tokens a provider served from its cache. */
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

type Delta = { role?: "assistant"; content?: string; reasoning_content?: string };

export function chunk(
  identity: CompletionIdentity,
  delta: Delta,
  finishReason: FinishReason | null = null,
): object {
  return {
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

export function usageChunk(identity: CompletionIdentity, usage: Usage): object {
  return {
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [],
    usage: toOpenAIUsage(usage),
  };
}

/**
 * A status line while a tool runs: a chunk with an empty delta (plain OpenAI clients add nothing
 * to the answer) and a top-level `event` in Open WebUI's event shape, which the bridge passes
 * on and Open WebUI draws above the message. Only streamed answers carry it.
 */
export function statusChunk(
  identity: CompletionIdentity,
  status: { description: string; done: boolean },
): object {
  return {
    ...chunk(identity, {}),
    event: { type: "status", data: { description: status.description, done: status.done } },
  };
}

/** What an event adds to the assistant message, or null when it adds nothing visible. */
export function toDelta(event: AgentEvent): Delta | null {
  switch (event.type) {
    case "text-delta":
      return { content: event.text };
    case "reasoning-delta":
      return { reasoning_content: event.text };
    case "tool-result":
      return { content: renderToolCard(event) };
    default:
      return null;
  }
}

export function completion(
  identity: CompletionIdentity,
  message: { content: string; reasoning: string },
  finishReason: FinishReason,
  usage: Usage,
): object {
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: message.content,
          ...(message.reasoning ? { reasoning_content: message.reasoning } : {}),
          refusal: null,
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage: toOpenAIUsage(usage),
  };
}
