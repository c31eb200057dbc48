import { SpanKind } from "@opentelemetry/api";
import { inSpan } from "../tracing/tracer.ts";

/** The one Gemini call embeddings need (the slice of `GoogleGenAI.models` used). */
export interface EmbedClient {
  embedContent(params: {
    model: string;
    contents: string[];
    config?: { taskType?: string; outputDimensionality?: number; abortSignal?: AbortSignal };
  }): Promise<{ embeddings?: { values?: number[]; statistics?: { tokenCount?: number } }[] }>;
}

/** Makes unit-length vectors for texts; `model` keys the embedding cache. */
export interface Embedder {
  readonly model: string;
  embed(texts: readonly string[], purpose: "document" | "query"): Promise<Float32Array[]>;
}

export const EMBEDDING_MODEL = "gemini-embedding-001";
/**
 * gemini-embedding-001 is trained to be cut (Matryoshka): 768 of its 3072 dimensions keep
 * nearly all of its retrieval quality at a quarter of the memory and of the cosine pass.
 */
export const EMBEDDING_DIMENSIONS = 768;
/** The API's own cap on texts per batchEmbedContents call. */
export const EMBED_BATCH = 100;
/** One embedding call; past it the search falls back to keywords. */
export const EMBED_TIMEOUT_MS = 15_000;

/** Embeddings from Gemini's `embedContent`, in batches the API accepts, each call timed out. */
export function geminiEmbedder(client: EmbedClient): Embedder {
  return {
    model: `${EMBEDDING_MODEL}@${EMBEDDING_DIMENSIONS}`,
    async embed(texts, purpose) {
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += EMBED_BATCH) {
        const batch = texts.slice(start, start + EMBED_BATCH);
        const embeddings = await tracedEmbedCall(batch.length, purpose, async () => {
          const response = await client.embedContent({
            model: EMBEDDING_MODEL,
            contents: [...batch],
            config: {
              taskType: purpose === "query" ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT",
              outputDimensionality: EMBEDDING_DIMENSIONS,
              abortSignal: AbortSignal.timeout(EMBED_TIMEOUT_MS),
            },
          });
          const answered = response.embeddings ?? [];
          if (answered.length !== batch.length) {
            throw new Error(`expected ${batch.length} embeddings, got ${answered.length}`);
          }
          return answered;
        });
        for (const embedding of embeddings) vectors.push(unit(embedding.values ?? []));
      }
      return vectors;
    },
  };
}

type Embeddings = NonNullable<Awaited<ReturnType<EmbedClient["embedContent"]>>["embeddings"]>;

/**
 * One client span per embedding call (a batch), under whatever is active: a search tool's span
 * for a query, none when indexing at start. The model, how many texts and what for, the tokens
 * when the API counts them (only Vertex does); never the texts.
 */
function tracedEmbedCall(
  inputs: number,
  purpose: "document" | "query",
  call: () => Promise<Embeddings>,
): Promise<Embeddings> {
  return inSpan(
    `embeddings ${EMBEDDING_MODEL}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "embeddings",
        "gen_ai.provider.name": "gcp.gemini",
        "gen_ai.request.model": EMBEDDING_MODEL,
        "gen_ai.embeddings.dimension.count": EMBEDDING_DIMENSIONS,
        "agentllm.embeddings.inputs": inputs,
        "agentllm.embeddings.purpose": purpose,
      },
    },
    async (span) => {
      const embeddings = await call();
      const counts = embeddings.map((embedding) => embedding.statistics?.tokenCount);
      if (counts.every((count): count is number => typeof count === "number")) {
        span.setAttribute(
          "gen_ai.usage.input_tokens",
          counts.reduce((sum, count) => sum + count, 0),
        );
      }
      return embeddings;
    },
  );
}

/** The vector scaled to length 1 (cut dimensions are not normalised by the API). */
export function unit(values: readonly number[]): Float32Array {
  const vector = Float32Array.from(values);
  const norm = Math.hypot(...vector);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}
