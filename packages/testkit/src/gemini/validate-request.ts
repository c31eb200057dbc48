import type { GeminiRequestBody } from "./recorded-request.ts";

/**
 * Field names the Developer API accepts (what @google/genai 2.32 can send). Anything
 * else is a 400 there, so the fake rejects it too: a request that passes here would
 * not be refused by the real service for an unknown field.
 */
const requestFields = [
  "contents",
  "systemInstruction",
  "tools",
  "toolConfig",
  "safetySettings",
  "generationConfig",
  "cachedContent",
  "labels",
  "serviceTier",
  "continuationToken",
  "store",
  "model",
];

const generationConfigFields = [
  "temperature",
  "topP",
  "topK",
  "candidateCount",
  "maxOutputTokens",
  "stopSequences",
  "responseLogprobs",
  "logprobs",
  "presencePenalty",
  "frequencyPenalty",
  "seed",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "responseModalities",
  "mediaResolution",
  "speechConfig",
  "thinkingConfig",
  "audioTranscriptionConfig",
  "imageConfig",
  "enableEnhancedCivicAnswers",
  "enableAffectiveDialog",
];

/** Proto JSON accepts both lowerCamel names and the original snake_case ones. */
function withSnakeCase(names: string[]): Set<string> {
  return new Set(names.flatMap((n) => [n, n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]));
}

const knownRequest = withSnakeCase(requestFields);
const knownGeneration = withSnakeCase(generationConfigFields);

/** Returns the API's error message for the first problem, or undefined when the body is fine. */
export function validateGenerateRequest(body: unknown): string | undefined {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    return "Invalid JSON payload received. Expected an object.";
  }
  for (const name of Object.keys(body)) {
    if (!knownRequest.has(name)) {
      return `Invalid JSON payload received. Unknown name "${name}": Cannot find field.`;
    }
  }
  const request = body as GeminiRequestBody;
  const config = request.generationConfig ?? request.generation_config;
  if (config !== undefined && config !== null && typeof config === "object") {
    for (const name of Object.keys(config)) {
      if (!knownGeneration.has(name)) {
        return `Invalid JSON payload received. Unknown name "${name}" at 'generation_config': Cannot find field.`;
      }
    }
  }
  if (!Array.isArray(request.contents) || request.contents.length === 0) {
    return "* GenerateContentRequest.contents: contents is not specified\n";
  }
  return undefined;
}
