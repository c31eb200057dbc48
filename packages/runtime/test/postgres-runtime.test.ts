import { readdirSync } from "node:fs";
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
});
