import path from "node:path";
import type { ToolkitDefinition } from "@agentllm/sdk";
import type { Kysely } from "kysely";
import type { Database } from "../database/schema.ts";
import type { Logger } from "../logger.ts";
import type { Embedder } from "./embedder.ts";
import { KnowledgeBase } from "./knowledge-base.ts";
import type { KnowledgeIndex } from "./knowledge-index.ts";
import { DEFAULT_KNOWLEDGE_LIMITS, type KnowledgeLimits } from "./knowledge-limits.ts";
import { PostgresKnowledgeIndex } from "./postgres-knowledge-index.ts";
import { migrateKnowledge } from "./postgres-knowledge-schema.ts";
import { knowledgeToolkit } from "./search-knowledge-tool.ts";
import { SqliteKnowledgeIndex } from "./sqlite-knowledge-index.ts";

/** How often a search may trigger a folder check (size and time of each file). */
export const DEFAULT_KNOWLEDGE_REFRESH_MS = 30_000;

export interface KnowledgeBasesOptions {
  /** Without `postgres`, indexes live in `<dataDir>/knowledge/<agent>.sqlite`. */
  readonly dataDir: string;
  /**
   * The runtime's Postgres database (DATABASE_URL), where the indexes then live, in tables
   * shared by every agent and every runtime on that database.
   */
  readonly postgres?: Kysely<Database>;
  readonly embedder?: Embedder;
  readonly logger: Logger;
  readonly limits?: KnowledgeLimits;
  readonly refreshMs?: number;
}

/** Every agent's knowledge base: made while agents load, indexed at start, closed at stop. */
export class KnowledgeBases {
  readonly #options: KnowledgeBasesOptions;
  readonly #bases: { agent: string; base: KnowledgeBase; close(): Promise<void> }[] = [];

  constructor(options: KnowledgeBasesOptions) {
    this.#options = options;
  }

  /** The `search_knowledge` toolkit over `folder`, for the agent named `agent`. */
  toolkitFor(agent: string, folder: string): ToolkitDefinition {
    if (!this.#options.embedder && this.#bases.length === 0) {
      this.#options.logger.info(
        "no Gemini key for embeddings: knowledge search is keyword only (bm25)",
      );
    }
    const limits = this.#options.limits ?? DEFAULT_KNOWLEDGE_LIMITS;
    const index: KnowledgeIndex = this.#options.postgres
      ? new PostgresKnowledgeIndex(this.#options.postgres, agent)
      : new SqliteKnowledgeIndex(path.join(this.#options.dataDir, "knowledge", `${agent}.sqlite`));
    const base = new KnowledgeBase({
      agent,
      folder,
      index,
      ...(this.#options.embedder ? { embedder: this.#options.embedder } : {}),
      logger: this.#options.logger,
      limits,
      refreshMs: this.#options.refreshMs ?? DEFAULT_KNOWLEDGE_REFRESH_MS,
    });
    this.#bases.push({
      agent,
      base,
      close: async () => {
        await base.stop();
        await index.close();
      },
    });
    return knowledgeToolkit(base, limits);
  }

  /**
   * On Postgres, creates or updates the knowledge tables now (once for all agents), so that a
   * failed migration stops the start as the runtime's own migrations do; nothing on SQLite or
   * when no agent has knowledge.
   */
  async prepare(): Promise<void> {
    const { postgres } = this.#options;
    if (postgres && this.#bases.length > 0) await migrateKnowledge(postgres);
  }

  /**
   * Indexes every folder once. The runtime does not wait for it before listening (a first
   * start on a large folder with a real key makes many embedding calls); a search that comes
   * first waits for its own agent's. A folder that fails is logged and retried by its next
   * search.
   */
  async indexAll(): Promise<void> {
    await Promise.all(
      this.#bases.map(({ agent, base }) =>
        base.sync().catch((error: unknown) => {
          this.#options.logger.error(
            { agent, err: (error as Error).message },
            "indexing knowledge failed",
          );
        }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.#bases.map((entry) => entry.close()));
  }
}
