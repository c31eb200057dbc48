/** The bounds of one agent's knowledge base; each has a log line or error where it bites. */
export interface KnowledgeLimits {
  /** Files indexed per folder (sorted by path; the rest are skipped with a warning). */
  readonly maxFiles: number;
  /** Bytes per file (a larger file is skipped with a warning). */
  readonly maxFileBytes: number;
  /** Chunks per agent (indexing stops there with a warning). */
  readonly maxChunks: number;
  /** Characters per chunk (a longer section is split into parts). */
  readonly maxChunkChars: number;
  /** Characters in a query (a longer one is refused: the model gets the error). */
  readonly maxQueryChars: number;
  /** Results per search (the tool's `limit` cannot exceed it). */
  readonly maxResults: number;
}

export const DEFAULT_KNOWLEDGE_LIMITS: KnowledgeLimits = {
  // A hand-written knowledge base is tens of files; a thousand is a misplaced folder.
  maxFiles: 1_000,
  // Room for a manual as PDF; more is a data dump that belongs in a search service.
  maxFileBytes: 10 * 1024 * 1024,
  // Keeps the in-memory vectors (768 floats each) under ~60 MB and a brute-force cosine
  // pass over all of them in a few milliseconds.
  maxChunks: 20_000,
  // About a page of text: a citation points somewhere a reader can find, and five results
  // stay well under the tool result cap.
  maxChunkChars: 3_000,
  // A question, not a document: also bounds the FTS query built from it.
  maxQueryChars: 500,
  maxResults: 10,
};
