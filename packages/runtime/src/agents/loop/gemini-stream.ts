import type {
  Content,
  GenerateContentParameters,
  GenerateContentResponse,
  Part,
} from "@google/genai";
import { ModelProviderError } from "../../errors/model-provider-error.ts";
import { fromGeminiError } from "../gemini-errors.ts";
import type { FinishReason, Usage } from "./agent-event.ts";
import { emptyUsage } from "./agent-event.ts";

/** The one SDK call the loop needs (`GoogleGenAI.models` satisfies it). */
export interface ModelClient {
  generateContentStream(
    params: GenerateContentParameters,
  ): Promise<AsyncGenerator<GenerateContentResponse>>;
}

export type StepDelta =
  | { type: "text-delta"; text: string }
  | { type: "reasoning-delta"; text: string };

export interface StepOutcome {
  /** The model's turn as Gemini must see it again next step (thought summaries dropped). */
  readonly content: Content;
  readonly text: string;
  readonly functionCalls: readonly { name: string; args: unknown }[];
  readonly usage: Usage;
  readonly finishReason: FinishReason;
}

/**
 * One model call. Yields each text delta the moment its chunk arrives (no buffering) and
 * returns the whole step once the stream ends.
 */
export async function* streamModelStep(
  client: ModelClient,
  params: GenerateContentParameters,
): AsyncGenerator<StepDelta, StepOutcome> {
  const parts: Part[] = [];
  let usage = emptyUsage();
  let finish: string | undefined;
  let stream: AsyncGenerator<GenerateContentResponse>;
  const signal = params.config?.abortSignal;
  // Leaving the SDK's iterator early does not end its HTTP request; only an abort does.
  const step = new AbortController();
  const stepSignal = signal ? AbortSignal.any([signal, step.signal]) : step.signal;
  try {
    stream = await client.generateContentStream({
      ...params,
      config: { ...params.config, abortSignal: stepSignal },
    });
  } catch (error) {
    throw signal?.aborted ? signal.reason : fromGeminiError(error);
  }
  try {
    for await (const chunk of stream) {
      const candidate = chunk.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) {
        if (part.thought && part.text) {
          yield { type: "reasoning-delta", text: part.text };
          // Keep a thought part only for its signature, which Gemini wants back.
          if (part.thoughtSignature) parts.push({ thoughtSignature: part.thoughtSignature });
          continue;
        }
        if (part.text) yield { type: "text-delta", text: part.text };
        appendPart(parts, part);
      }
      if (chunk.usageMetadata) usage = toUsage(chunk.usageMetadata);
      if (candidate?.finishReason) finish = candidate.finishReason;
    }
    if (finish === undefined) {
      // The SDK ends quietly when the connection closes cleanly without a finish reason.
      throw new ModelProviderError(
        "stream_incomplete",
        "The model's stream ended before the model finished its answer.",
      );
    }
  } catch (error) {
    throw signal?.aborted ? signal.reason : fromGeminiError(error);
  } finally {
    step.abort();
  }
  const text = parts.map((part) => part.text ?? "").join("");
  const functionCalls = parts
    .filter((part) => part.functionCall)
    .map((part) => ({ name: part.functionCall?.name ?? "", args: part.functionCall?.args ?? {} }));
  return {
    content: { role: "model", parts },
    text,
    functionCalls,
    usage,
    finishReason: toFinishReason(finish),
  };
}

/** Streamed text arrives in many small parts; store it as one, as a non-streamed reply has it. */
function appendPart(parts: Part[], part: Part): void {
  const last = parts.at(-1);
  const plainText = (p: Part | undefined) =>
    p !== undefined && typeof p.text === "string" && !p.functionCall && !p.thought;
  if (plainText(last) && plainText(part) && !part.thoughtSignature && last) {
    last.text = `${last.text}${part.text}`;
    return;
  }
  parts.push({ ...part });
}

function toUsage(meta: NonNullable<GenerateContentResponse["usageMetadata"]>): Usage {
  const prompt = meta.promptTokenCount ?? 0;
  const reasoning = meta.thoughtsTokenCount ?? 0;
  const completion = (meta.candidatesTokenCount ?? 0) + reasoning;
  return {
    promptTokens: prompt,
    // Never more than the prompt: a provider's odd count must not make uncached tokens negative.
    cachedTokens: Math.min(meta.cachedContentTokenCount ?? 0, prompt),
    completionTokens: completion,
    reasoningTokens: reasoning,
    totalTokens: meta.totalTokenCount ?? prompt + completion,
  };
}

function toFinishReason(reason: string | undefined): FinishReason {
  switch (reason) {
    case "MAX_TOKENS":
      return "length";
    case "SAFETY":
    case "RECITATION":
    case "BLOCKLIST":
    case "PROHIBITED_CONTENT":
    case "SPII":
    case "IMAGE_SAFETY":
      return "content_filter";
    default:
      return "stop";
  }
}
