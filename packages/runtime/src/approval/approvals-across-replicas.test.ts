import { defineAgent, defineToolkit, type PluginLogger } from "@agentllm/sdk";
import type { GenerateContentResponse, Part } from "@google/genai";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { AgentEvent } from "../agents/loop/agent-event.ts";
import type { ModelClient } from "../agents/loop/gemini-stream.ts";
import { toGeminiTools } from "../agents/loop/to-gemini-tools.ts";
import type { RegisteredAgent } from "../agents/registry.ts";
import type { ChatMessage } from "../conversation/chat-message.ts";
import { runTurn, type TurnDeps } from "../conversation/run-turn.ts";
import { type AppDatabase, openDatabase } from "../database/index.ts";
import { KyselySessionStore } from "../sessions/kysely-session-store.ts";
import { PostgresSessionLocks } from "../sessions/postgres-session-locks.ts";
import { InMemoryUserSettings } from "../settings/in-memory-user-settings.ts";
import { useTestDatabases } from "../testing/test-databases.ts";
import { ApprovalSigner } from "./approval-signer.ts";
import { Approvals } from "./approvals.ts";
import { PendingApprovals } from "./pending-approvals.ts";

// An approval asked on one replica is approved through another: nothing about it lives in a
// process. Each "replica" here has its own database pool, session lock, approvals and model,
// sharing only the Postgres database and the key, as two runtime processes do.

const log: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const posted: unknown[] = [];
const board = defineToolkit({
  name: "board",
  tools: {
    post_note: {
      description: "Posts a note.",
      parameters: z.object({ text: z.string() }),
      sideEffect: { describe: () => "Post a note" },
      execute: (args: unknown) => {
        posted.push(args);
        return { posted: true };
      },
    },
  },
});
const agent: RegisteredAgent = {
  definition: defineAgent({
    name: "board-agent",
    description: "Posts notes.",
    instructions: "You post notes with post_note.",
    toolkits: [board],
  }),
  packageName: "@test/board-agent",
  toolset: toGeminiTools([board]),
};

/** Answers each call with the next queued parts. */
function queuedModel(): ModelClient & { queue: Part[][]; calls: number } {
  const model = {
    queue: [] as Part[][],
    calls: 0,
    async generateContentStream() {
      model.calls++;
      const parts = model.queue.shift() ?? [{ text: "(nothing queued)" }];
      return (async function* () {
        yield {
          candidates: [{ content: { role: "model", parts }, finishReason: "STOP" }],
        } as GenerateContentResponse;
      })();
    },
  };
  return model;
}

interface Replica {
  readonly deps: TurnDeps;
  readonly model: ReturnType<typeof queuedModel>;
  readonly database: AppDatabase;
  readonly locks: PostgresSessionLocks;
}

const databases = useTestDatabases("approvals-replicas");
let url: string;
let admin: pg.Client;
const replicas: Replica[] = [];

beforeAll(async () => {
  url = (await databases.fresh("Postgres")).databaseUrl as string;
  admin = new pg.Client(url);
  await admin.connect();
});
afterAll(async () => {
  for (const replica of replicas) {
    await replica.locks.close();
    await replica.database.close();
  }
  await admin.end();
});
beforeEach(() => {
  posted.length = 0;
});

async function replica(): Promise<Replica> {
  const database = await openDatabase({ dataDir: "/nonexistent", databaseUrl: url });
  const model = queuedModel();
  const locks = new PostgresSessionLocks({
    connectionString: url,
    waitMs: 60_000,
    maxConnections: 4,
    cancelBackend: (pid) => admin.query("select pg_cancel_backend($1)", [pid]),
  });
  const deps: TurnDeps = {
    client: model,
    sessions: new KyselySessionStore(database.db),
    settings: { scoped: () => new InMemoryUserSettings() },
    defaultModel: "gemini-2.5-flash",
    defaultMaxSteps: 4,
    toolTimeoutMs: 5000,
    locks,
    contextTokens: 100_000,
    maxSessionBytes: 1_000_000,
    approvals: new Approvals({
      store: new PendingApprovals(database.db),
      // The same key on every replica, derived from the vault key as in start-runtime.
      signer: new ApprovalSigner(new Uint8Array(32).fill(7)),
      ttlSeconds: 900,
    }),
  };
  const made = { deps, model, database, locks };
  replicas.push(made);
  return made;
}

async function turn(on: Replica, messages: readonly ChatMessage[], sessionId: string) {
  const events: AgentEvent[] = [];
  for await (const event of runTurn(on.deps, {
    agent,
    messages,
    params: {},
    userId: "alice",
    sessionId,
    signal: new AbortController().signal,
    logger: log,
  })) {
    events.push(event);
  }
  return events.map((e) => (e.type === "text-delta" ? e.text : "")).join("");
}

const question: ChatMessage = { role: "user", content: "Post that the release is blocked." };
const askToPost: Part[] = [{ functionCall: { name: "post_note", args: { text: "blocked" } } }];

async function askOn(on: Replica, sessionId: string): Promise<ChatMessage[]> {
  on.model.queue.push(askToPost);
  const asked = await turn(on, [question], sessionId);
  expect(asked).toContain("Approval needed");
  expect(posted).toEqual([]);
  return [question, { role: "assistant", content: asked }, { role: "user", content: "approve" }];
}

describe("approvals across replicas on one Postgres", () => {
  it("runs an approval asked on replica A when it is approved through replica B", async () => {
    const a = await replica();
    const b = await replica();
    const approving = await askOn(a, "chat-ab");
    b.model.queue.push([{ text: "Posted." }]);
    expect(await turn(b, approving, "chat-ab")).toBe("Posted.");
    expect(posted).toEqual([{ text: "blocked" }]);
  });

  it("runs it once when the approval reaches both replicas at once", async () => {
    const a = await replica();
    const b = await replica();
    const approving = await askOn(a, "chat-both");
    a.model.queue.push([{ text: "Done on A." }]);
    b.model.queue.push([{ text: "Done on B." }]);
    const answers = await Promise.all([
      turn(a, approving, "chat-both"),
      turn(b, approving, "chat-both"),
    ]);
    expect(posted).toEqual([{ text: "blocked" }]);
    // One ran the approved call; the other, after it, saw a closed approval (a regenerate).
    expect(answers.filter((text) => text.startsWith("Done on"))).toHaveLength(2);
    const { rows } = await admin.query<{ decision: string }>(
      "select decision from pending_approvals where session_id = 'chat-both'",
    );
    expect(rows.map((row) => row.decision)).toEqual(["approved"]);
  });
});
