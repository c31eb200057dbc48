import { fakeEmbedding } from "./fake-embedding.ts";

/** Each batch request's content, as the real API caps it. */
const MAX_BATCH = 100;
const MAX_DIMENSIONS = 3072;

/**
 * The body of `:embedContent` (`{ embedding }`) or `:batchEmbedContents` (`{ embeddings }`) for
 * a request body, or the 400 message the real API would give for a malformed one. Vectors come
 * from `fakeEmbedding`, so the same text always gets the same vector.
 */
export function embedAnswer(batch: boolean, body: unknown): Record<string, unknown> | string {
  if (!batch) {
    const one = embedOne(body);
    return typeof one === "string" ? one : { embedding: { values: one } };
  }
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    return "* BatchEmbedContentsRequest.requests: must not be empty";
  }
  if (requests.length > MAX_BATCH) {
    return `* BatchEmbedContentsRequest.requests: at most ${MAX_BATCH} requests are allowed per batch.`;
  }
  const embeddings: { values: number[] }[] = [];
  for (const request of requests) {
    const one = embedOne(request);
    if (typeof one === "string") return one;
    embeddings.push({ values: one });
  }
  return { embeddings };
}

function embedOne(request: unknown): number[] | string {
  const r = (request ?? {}) as {
    content?: { parts?: { text?: unknown }[] };
    outputDimensionality?: unknown;
  };
  const parts = r.content?.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    return "* EmbedContentRequest.content: contents must not be empty";
  }
  const text = parts.map((part) => (typeof part?.text === "string" ? part.text : "")).join("");
  const dims = r.outputDimensionality;
  if (
    dims !== undefined &&
    (!Number.isInteger(dims) || (dims as number) < 1 || (dims as number) > MAX_DIMENSIONS)
  ) {
    return `* EmbedContentRequest.output_dimensionality: must be between 1 and ${MAX_DIMENSIONS}`;
  }
  return fakeEmbedding(text, (dims as number | undefined) ?? undefined);
}
