import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, expect, it } from "vitest";
import { KnowledgeBase } from "./knowledge-base.ts";
import { DEFAULT_KNOWLEDGE_LIMITS } from "./knowledge-limits.ts";
import { knowledgeToolkit } from "./search-knowledge-tool.ts";
import { SqliteKnowledgeIndex } from "./sqlite-knowledge-index.ts";

let dir: string;
let index: SqliteKnowledgeIndex;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "agentllm-knowledge-tool-"));
  index = new SqliteKnowledgeIndex(path.join(dir, "k.sqlite"));
});
afterEach(async () => {
  await index.close();
  rmSync(dir, { recursive: true, force: true });
});

function tool() {
  mkdirSync(path.join(dir, "knowledge"));
  writeFileSync(path.join(dir, "knowledge", "faq.md"), "# FAQ\n## Refunds\nStore credit only.");
  const base = new KnowledgeBase({
    agent: "a",
    folder: path.join(dir, "knowledge"),
    index,
    logger: pino({ level: "silent" }),
    limits: DEFAULT_KNOWLEDGE_LIMITS,
    refreshMs: 30_000,
  });
  const search = knowledgeToolkit(base, DEFAULT_KNOWLEDGE_LIMITS).tools.search_knowledge;
  if (!search) throw new Error("no search_knowledge");
  return search;
}

it("takes a query of up to 500 characters and up to 10 results; refuses more", () => {
  const { parameters } = tool();
  expect(parameters.safeParse({ query: "x".repeat(500), limit: 10 }).success).toBe(true);
  expect(parameters.safeParse({ query: "x".repeat(501) }).success).toBe(false);
  expect(parameters.safeParse({ query: "x", limit: 11 }).success).toBe(false);
  expect(parameters.safeParse({ query: "" }).success).toBe(false);
});

it("answers with passages that cite file and section, and says what the status line shows", async () => {
  const search = tool();
  expect(search.status).toBe("Searching the knowledge base…");
  const result = await search.execute({ query: "refunds" }, {} as never);
  expect(result).toEqual({
    mode: "keyword",
    results: [
      {
        cite: "faq.md § FAQ > Refunds",
        source: "faq.md",
        section: "FAQ > Refunds",
        text: "## Refunds\nStore credit only.",
      },
    ],
  });
});
