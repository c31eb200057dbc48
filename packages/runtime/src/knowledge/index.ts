export { EMBEDDING_MODEL, type Embedder, geminiEmbedder } from "./embedder.ts";
export { KnowledgeBase } from "./knowledge-base.ts";
export { DEFAULT_KNOWLEDGE_REFRESH_MS, KnowledgeBases } from "./knowledge-bases.ts";
export type { KnowledgeIndex } from "./knowledge-index.ts";
export { DEFAULT_KNOWLEDGE_LIMITS, type KnowledgeLimits } from "./knowledge-limits.ts";
export { PostgresKnowledgeIndex } from "./postgres-knowledge-index.ts";
export { SqliteKnowledgeIndex } from "./sqlite-knowledge-index.ts";
