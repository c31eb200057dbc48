import type { AgentDefinition } from "@agentllm/sdk";
import type { GenerateContentConfig } from "@google/genai";

/** The request's model parameters, already validated; each overrides the agent's default. */
export interface TurnParams {
  readonly temperature?: number | undefined;
  readonly maxOutputTokens?: number | undefined;
  readonly topP?: number | undefined;
  readonly stopSequences?: readonly string[] | undefined;
}

/** Gemini's generation settings: the request's parameters over the agent's defaults. */
export function generationConfig(
  defaults: AgentDefinition["model"],
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
