import type { GeminiPart } from "./recorded-request.ts";
import type { FakePart, FakeReply } from "./script.ts";
import { countPartWords, countWords, type UsageMetadata, usageMetadata } from "./usage.ts";

/** A `GenerateContentResponse` as the REST API writes it (one SSE event or a unary body). */
export interface GeminiResponseJson {
  candidates: {
    content: { role: "model"; parts?: GeminiPart[] };
    finishReason?: string;
    index: 0;
  }[];
  usageMetadata: UsageMetadata;
  modelVersion: string;
  responseId: string;
}

export interface ResponseContext {
  /** Echoed as `modelVersion`, as the real API does for a model id. */
  model: string;
  responseId: string;
  /** Prompt tokens counted from the request, unless the reply overrides them. */
  promptTokenCount: number;
  /** Of those, the ones an earlier request already sent (implicit-cache.ts); default 0. */
  cachedTokenCount?: number;
}

export function toWirePart(part: FakePart): GeminiPart {
  if (typeof part === "string") return { text: part };
  if ("functionCall" in part) {
    const { name, args, id } = part.functionCall;
    const wire: GeminiPart = { functionCall: { ...(id ? { id } : {}), name, args: args ?? {} } };
    if (part.thoughtSignature) wire.thoughtSignature = part.thoughtSignature;
    return wire;
  }
  return { ...part };
}

function isThought(part: GeminiPart): boolean {
  return part.thought === true;
}

function partWords(part: GeminiPart): number {
  if (typeof part.text === "string") return countWords(part.text);
  return countPartWords([part.functionCall?.name, part.functionCall?.args]);
}

/**
 * Usage after each event: the running total the real API reports on every chunk. An
 * override sets the final counts; earlier chunks get their share of it, by words.
 */
function runningUsage(parts: GeminiPart[], reply: FakeReply, ctx: ResponseContext) {
  const words = parts.map((part) => ({ thought: isThought(part), n: partWords(part) }));
  const total = (thought: boolean) =>
    words.filter((w) => w.thought === thought).reduce((sum, w) => sum + w.n, 0);
  const finalCandidates = reply.usage?.candidatesTokenCount ?? total(false);
  const finalThoughts = reply.usage?.thoughtsTokenCount ?? total(true);
  const prompt = reply.usage?.promptTokenCount ?? ctx.promptTokenCount;
  const cached = Math.min(
    reply.usage?.cachedContentTokenCount ?? ctx.cachedTokenCount ?? 0,
    prompt,
  );
  const share = (final: number, done: number, all: number) =>
    all === 0 ? final : Math.round((final * done) / all);

  let candidatesDone = 0;
  let thoughtsDone = 0;
  const perEvent = words.map((w, i) => {
    if (w.thought) thoughtsDone += w.n;
    else candidatesDone += w.n;
    if (i === words.length - 1)
      return usageMetadata(prompt, finalCandidates, finalThoughts, cached);
    return usageMetadata(
      prompt,
      share(finalCandidates, candidatesDone, total(false)),
      share(finalThoughts, thoughtsDone, total(true)),
      cached,
    );
  });
  return { perEvent, final: usageMetadata(prompt, finalCandidates, finalThoughts, cached) };
}

function response(
  parts: GeminiPart[] | undefined,
  usage: UsageMetadata,
  ctx: ResponseContext,
  finishReason?: string,
): GeminiResponseJson {
  // The API leaves `parts` out entirely when the model produced nothing.
  const content =
    parts && parts.length > 0 ? { parts, role: "model" as const } : { role: "model" as const };
  return {
    candidates: [{ content, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: usage,
    modelVersion: ctx.model,
    responseId: ctx.responseId,
  };
}

/** One response per event; the last carries the finishReason. Never empty. */
export function streamChunks(reply: FakeReply, ctx: ResponseContext): GeminiResponseJson[] {
  const parts = reply.parts.map(toWirePart);
  // A stream that ends in an error event never got to finish.
  const finishReason = reply.streamError ? undefined : (reply.finishReason ?? "STOP");
  const { perEvent, final } = runningUsage(parts, reply, ctx);
  if (parts.length === 0) return [response(undefined, final, ctx, finishReason)];
  return parts.map((part, i) =>
    response([part], perEvent[i] ?? final, ctx, i === parts.length - 1 ? finishReason : undefined),
  );
}

/** Adjacent text parts of the same kind (thought or not) become one, as a unary call returns. */
export function mergeParts(parts: GeminiPart[]): GeminiPart[] {
  const merged: GeminiPart[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    const mergeable =
      last !== undefined &&
      typeof last.text === "string" &&
      typeof part.text === "string" &&
      isThought(last) === isThought(part) &&
      part.thoughtSignature === undefined;
    if (mergeable) last.text = `${last.text}${part.text}`;
    else merged.push({ ...part });
  }
  return merged;
}

export function unaryResponse(reply: FakeReply, ctx: ResponseContext): GeminiResponseJson {
  const parts = reply.parts.map(toWirePart);
  const { final } = runningUsage(parts, reply, ctx);
  return response(mergeParts(parts), final, ctx, reply.finishReason ?? "STOP");
}
