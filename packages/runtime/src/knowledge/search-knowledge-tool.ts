import type { ToolkitDefinition } from "@agentllm/sdk";
import { z } from "zod";
import type { KnowledgeBase } from "./knowledge-base.ts";
import type { KnowledgeLimits } from "./knowledge-limits.ts";

/** Results when the model does not say how many. */
export const DEFAULT_RESULTS = 5;

/** The toolkit the runtime adds to an agent that ships knowledge: one tool, `search_knowledge`. */
export function knowledgeToolkit(
  base: KnowledgeBase,
  limits: Pick<KnowledgeLimits, "maxQueryChars" | "maxResults">,
): ToolkitDefinition {
  return {
    name: "knowledge",
    description: "The agent's own documents",
    tools: {
      search_knowledge: {
        description:
          "Searches this agent's knowledge base (its own documents) and returns the best passages, each with `cite`: the file and section to name in the answer. Call it before answering a question the documents may cover; quote and cite what you use.",
        parameters: z.object({
          query: z
            .string()
            .min(1)
            .max(limits.maxQueryChars)
            .describe("What to look for, in a few words or one question"),
          limit: z
            .number()
            .int()
            .min(1)
            .max(limits.maxResults)
            .optional()
            .describe(`How many passages (default ${DEFAULT_RESULTS})`),
        }),
        status: "Searching the knowledge base…",
        async execute({ query, limit }) {
          const answer = await base.search(query, limit ?? DEFAULT_RESULTS);
          return {
            mode: answer.mode,
            results: answer.hits.map((hit) => ({
              cite: `${hit.source} § ${hit.section}`,
              source: hit.source,
              section: hit.section,
              text: hit.text,
            })),
          };
        },
      },
    },
  };
}
