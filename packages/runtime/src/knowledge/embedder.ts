/** The one Gemini call embeddings need (the slice of `GoogleGenAI.models` used). */
export interface EmbedClient {
  embedContent(params: {
    model: string;
    contents: string[];
    config?: { taskType?: string; outputDimensionality?: number; abortSignal?: AbortSignal };
  }): Promise<{ embeddings?: { values?: number[] }[] }>;
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
        const response = await client.embedContent({
          model: EMBEDDING_MODEL,
          contents: [...batch],
          config: {
            taskType: purpose === "query" ? "RETRIEVAL_QUERY" : "RETRIEVAL_DOCUMENT",
            outputDimensionality: EMBEDDING_DIMENSIONS,
            abortSignal: AbortSignal.timeout(EMBED_TIMEOUT_MS),
          },
        });
        const embeddings = response.embeddings ?? [];
        if (embeddings.length !== batch.length) {
          throw new Error(`expected ${batch.length} embeddings, got ${embeddings.length}`);
        }
        for (const embedding of embeddings) vectors.push(unit(embedding.values ?? []));
      }
      return vectors;
    },
  };
}

/** The vector scaled to length 1 (cut dimensions are not normalised by the API). */
export function unit(values: readonly number[]): Float32Array {
  const vector = Float32Array.from(values);
  const norm = Math.hypot(...vector);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}
