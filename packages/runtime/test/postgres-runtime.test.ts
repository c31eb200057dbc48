import { readdirSync } from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { branchOf, readSession } from "../src/sessions/index.ts";
import { type PostgresServer, startPostgresServer } from "../src/testing/postgres-server.ts";
import { type RuntimeHarness, startRuntimeHarness } from "./runtime-harness.ts";

// The whole runtime with DATABASE_URL: conversations land in Postgres, not in agentllm.db.
describe("the runtime on Postgres", () => {
  let postgres: PostgresServer;
  let h: RuntimeHarness;

  beforeAll(async () => {
    postgres = await startPostgresServer();
    h = await startRuntimeHarness({
      env: { DATABASE_URL: await postgres.createDatabase(), AGENTLLM_DATABASE_POOL_SIZE: "2" },
    });
  });

  afterAll(async () => {
    await h?.close();
    await postgres?.stop();
  });

  it("is ready, continues a conversation from Postgres, writes no SQLite file, logs no URL", async () => {
    const ready = await h.fetch("/readyz", { token: null });
    expect(ready.status).toBe(200);
    const headers = { "X-AgentLLM-User-Id": "alice", "X-AgentLLM-Session-Id": "chat-1" };
    h.gemini.enqueue({ parts: ["One."] });
    await h.client.chat.completions.create(
      { model: "agno/demo-agent", messages: [{ role: "user", content: "first" }] },
      { headers },
    );
    h.gemini.enqueue({ parts: ["Two."] });
    await h.client.chat.completions.create(
      {
        model: "agno/demo-agent",
        messages: [
          { role: "user", content: "first" },
          { role: "assistant", content: "One." },
          { role: "user", content: "second" },
        ],
      },
      { headers },
    );
    const session = await readSession(h.db.db, {
      userId: "alice",
      agent: "demo-agent",
      sessionId: "chat-1",
    });
    expect(branchOf(session).map((turn) => turn.answer)).toEqual(["One.", "Two."]);
    expect(readdirSync(h.dataDir).filter((name) => name.startsWith("agentllm.db"))).toEqual([]);
    expect(JSON.stringify(h.logs)).not.toContain("postgresql://");
  });

  it("answers the demo agent's search_knowledge from Postgres, with no knowledge file", async () => {
    h.gemini.enqueue({
      parts: [
        {
          functionCall: {
            name: "search_knowledge",
            args: { query: "refund for an opened tube", limit: 3 },
          },
        },
      ],
    });
    await h.client.chat.completions.create(
      {
        model: "agno/demo-agent",
        messages: [{ role: "user", content: "Can I get a refund for an opened tube of paint?" }],
      },
      { headers: { "X-AgentLLM-User-Id": "odile", "X-AgentLLM-Session-Id": "knowledge" } },
    );
    const followUp = await h.gemini.waitForRequest((request) =>
      (request.body.contents ?? []).some((c) =>
        c.parts?.some((p) => p.functionResponse?.name === "search_knowledge"),
      ),
    );
    const response = followUp.body.contents
      ?.flatMap((content) => content.parts ?? [])
      .find((part) => part.functionResponse?.name === "search_knowledge")?.functionResponse
      ?.response as { output?: SearchResult } & SearchResult;
    const search = response.output ?? response;
    expect(search.mode).toBe("hybrid");
    expect(search.results[0]?.cite).toBe(
      "company.md § Quillmoor Pigments > Policies > Returns and refunds",
    );
    expect(search.results[0]?.text).toContain("QM-2024-117");

    const { rows } = await sql<{ chunks: string; vectors: string }>`
      select count(*) as chunks, count(vector) as vectors from knowledge_chunks
      where agent = 'demo-agent'`.execute(h.db.db);
    expect(Number(rows[0]?.chunks)).toBeGreaterThan(0);
    expect(rows[0]?.vectors).toBe(rows[0]?.chunks);
    expect(readdirSync(h.dataDir)).not.toContain("knowledge");
  });
});

type SearchResult = { mode: string; results: { cite: string; text: string }[] };
