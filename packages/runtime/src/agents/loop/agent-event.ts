import type { Content } from "@google/genai";

/** OpenAI's finish reasons, the vocabulary clients understand. */
export type FinishReason = "stop" | "length" | "content_filter";

export interface Usage {
  promptTokens: number;
  /**
   * Of `promptTokens`, those Gemini served from its implicit prefix cache
   * (`cachedContentTokenCount`), billed at a fraction of the rate.
   */
  cachedTokens: number;
  completionTokens: number;
  /** Thinking tokens, already counted in `completionTokens` (OpenAI's convention). */
  reasoningTokens: number;
  totalTokens: number;
}

/** One model call and the tool calls it asked for. */
export interface StepRecord {
  readonly text: string;
  readonly toolCalls: readonly { callId: string; name: string; args: unknown }[];
  readonly toolResults: readonly {
    callId: string;
    name: string;
    result: unknown;
    isError: boolean;
  }[];
  readonly usage: Usage;
  readonly finishReason: FinishReason;
}

/**
 * What a run yields, in order. Only `http/to-openai-chunk.ts` knows how these look on the wire;
 * failures are thrown from the iterator, not yielded.
 */
export type AgentEvent =
  | { type: "text-delta"; text: string }
  | { type: "reasoning-delta"; text: string }
  | { type: "tool-call"; callId: string; name: string; args: unknown }
  /**
   * What the user is told while a tool call runs (`done: false` when it starts, `done: true`
   * when it has finished); not part of the answer's text.
   */
  | { type: "status"; callId: string; description: string; done: boolean }
  | {
      type: "tool-result";
      callId: string;
      name: string;
      args: unknown;
      result: unknown;
      isError: boolean;
    }
  | { type: "step-finish"; step: StepRecord }
  | {
      type: "finish";
      finishReason: FinishReason;
      usage: Usage;
      steps: readonly StepRecord[];
      /** Model and function-response contents this run added, for the session store. */
      newContents: readonly Content[];
    };

export const emptyUsage = (): Usage => ({
  promptTokens: 0,
  cachedTokens: 0,
  completionTokens: 0,
  reasoningTokens: 0,
  totalTokens: 0,
});

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    cachedTokens: a.cachedTokens + b.cachedTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}
