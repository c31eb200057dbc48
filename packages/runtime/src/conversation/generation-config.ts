import type { AgentDefinition } from "@agentllm/sdk";
import type { GenerateContentConfig, ThinkingConfig } from "@google/genai";

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
  const thinking = thinkingConfig(defaults);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

/**
 * Gemini's thinking settings for an agent, or none for the model's own default (2.5 models think
 * with a dynamic budget). Thought summaries only when the agent asks for them: they stream as
 * reasoning_content, which Open WebUI shows as a thinking block.
 */
function thinkingConfig(defaults: AgentDefinition["model"]): ThinkingConfig | undefined {
  const budget = defaults?.thinkingBudget;
  if (budget === 0) return { thinkingBudget: 0 };
  const config: ThinkingConfig = {};
  if (defaults?.includeThoughts) config.includeThoughts = true;
  if (budget !== undefined) config.thinkingBudget = budget;
  return Object.keys(config).length > 0 ? config : undefined;
}
