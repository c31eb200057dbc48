import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppDatabase } from "../../runtime/src/database/app-database.ts";
import { DATABASE_FILE_NAME, openDatabase } from "../../runtime/src/database/open-database.ts";
import type { Database } from "../../runtime/src/database/schema.ts";
import { readSession } from "../../runtime/src/sessions/read-session.ts";
import type { SessionKey, StoredTurn } from "../../runtime/src/sessions/session-store.ts";
import { type RunningStack, startStack } from "../src/start-stack.ts";
import { settleWithin } from "./settle-within.ts";

// The session store survives a crash: the runtime is SIGKILLed in the middle of a streamed
// answer, a new runtime process starts on the same data directory and port (LiteLLM keeps
// running and reaches it at the same URL), and the conversation goes on.

const MODEL = "agno/demo-agent";
const USER = "durable-user";
const CHAT = "durable-chat";
const KEY: SessionKey = { userId: USER, agent: "demo-agent", sessionId: CHAT };
const identity = { headers: { "X-OpenWebUI-User-Id": USER, "X-OpenWebUI-Chat-Id": CHAT } };

let gemini: FakeGemini;
let stack: RunningStack;
let client: OpenAI;
let dataDir: string;
const lines: string[] = [];

beforeAll(async () => {
  gemini = await startFakeGemini({ port: 0 });
  dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-durability-"));
  stack = await startStack({
    geminiApiKey: "fake-gemini-key",
    geminiBaseUrl: gemini.url,
    dataDir,
    logLevel: "warn",
    onLine: (service, line) => lines.push(`[${service}] ${line}`),
  });
  client = new OpenAI({ baseURL: `${stack.proxyUrl}/v1`, apiKey: stack.masterKey, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await gemini?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Opens the runtime's database the way the runtime does (migrations included). */
async function withDatabase<T>(use: (db: AppDatabase) => Promise<T>): Promise<T> {
  const database = await openDatabase({ dataDir });
  try {
    return await use(database);
  } finally {
    await database.close();
  }
}

/** A second, read-only connection beside the running runtime: WAL lets readers in. */
async function withReadOnlyDatabase<T>(use: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const sqlite = new BetterSqlite3(path.join(dataDir, DATABASE_FILE_NAME), {
    readonly: true,
    fileMustExist: true,
  });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    return await use(db);
  } finally {
    await db.destroy();
  }
}

async function checkFile(db: Kysely<Database>): Promise<void> {
  const integrity = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(db);
  expect(integrity.rows).toEqual([{ integrity_check: "ok" }]);
  const mode = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db);
  expect(mode.rows[0]?.journal_mode).toBe("wal");
}

function functionCallNames(turn: StoredTurn | undefined): string[] {
  return (turn?.steps ?? []).flatMap((content) =>
    ((content as { parts?: { functionCall?: { name: string } }[] }).parts ?? []).flatMap((part) =>
      part.functionCall ? [part.functionCall.name] : [],
    ),
  );
}

describe("the session store across a kill -9 of the runtime", () => {
  it("keeps finished turns, never marks the killed one complete, and goes on after a restart", async () => {
    // Turn 1: a tool round trip, so the stored turn has steps the client never saw.
    const firstQuestion = "My favorite color is blue";
    gemini.enqueue(
      { parts: [{ functionCall: { name: "set_favorite_color", args: { color: "blue" } } }] },
      { parts: ["Blue it is!"] },
    );
    const first = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: firstQuestion }] },
      identity,
    );
    const firstAnswer = first.choices[0]?.message.content ?? "";
    expect(firstAnswer).toContain("Blue it is!");
    expect(firstAnswer).toContain('name="set_favorite_color"');

    // Turn 2: a slow stream; the runtime dies right after the first words reach the client.
    gemini.enqueue({ parts: ["one ", "two ", "three ", "four ", "five"], delayMs: 500 });
    const killedPid = stack.runtime.process.pid;
    const stream = await client.chat.completions.create(
      {
        model: MODEL,
        messages: [
          { role: "user", content: firstQuestion },
          { role: "assistant", content: firstAnswer },
          { role: "user", content: "Count to five, slowly" },
        ],
        stream: true,
      },
      identity,
    );
    let streamed = "";
    let killed = false;
    const outcome = await settleWithin(15_000, async () => {
      for await (const chunk of stream) {
        streamed += chunk.choices[0]?.delta?.content ?? "";
        if (streamed && !killed) {
          killed = true;
          await stack.runtime.kill("SIGKILL");
        }
      }
    });
    expect(killed).toBe(true);
    expect(stack.runtime.process.signalCode).toBe("SIGKILL");
    // Bounded: the client is told, it does not hang and it does not get a clean end.
    expect(outcome.settled, `the stream still hangs 15 s after the kill:\n${tail()}`).toBe(true);
    expect(outcome.error).toBeInstanceOf(Error);
    expect(streamed.startsWith("one ")).toBe(true);
    expect(streamed).not.toContain("five");

    // Right after the crash, with no process holding the database: what survived? The last
    // commits are still in the write-ahead log the dead process left behind (no checkpoint
    // ran), so this also proves the log is replayed.
    const wal = path.join(dataDir, `${DATABASE_FILE_NAME}-wal`);
    expect(existsSync(wal) && statSync(wal).size > 0, "no write-ahead log after the kill").toBe(
      true,
    );
    const afterCrash = await withDatabase(async (database) => {
      await checkFile(database.db);
      return (await readSession(database.db, KEY)).turns;
    });
    expect(afterCrash.length, "turn 1 is lost after the kill").toBeGreaterThanOrEqual(1);
    expect(afterCrash.length).toBeLessThanOrEqual(2);
    assertFirstTurn(afterCrash[0], firstQuestion);
    const killedTurn = afterCrash[1];
    if (killedTurn) expect(killedTurn.status).toBe("partial");

    // A new runtime process on the same port, data directory and token.
    const restarted = await stack.restartRuntime();
    expect(restarted.process.pid).not.toBe(killedPid);

    // Turn 3: the client sends its history as Open WebUI would, with a new question.
    gemini.enqueue({ parts: ["Welcome ", "back."] });
    const third = await client.chat.completions.create(
      {
        model: MODEL,
        messages: [
          { role: "user", content: firstQuestion },
          { role: "assistant", content: firstAnswer },
          { role: "user", content: "Are you still there?" },
        ],
      },
      identity,
    );
    expect(third.choices[0]?.message.content).toBe("Welcome back.");
    const modelCall = gemini.requests.filter((r) => r.method === "streamGenerateContent").at(-1);
    expect(JSON.stringify(modelCall?.body.contents)).toContain("Are you still there?");
    // The favorite color written by turn 1's tool survived the crash as well.
    expect(JSON.stringify(modelCall?.body.systemInstruction)).toContain(
      "favorite color is **blue**",
    );

    // Read beside the running runtime, without stopping it.
    const turns = await withReadOnlyDatabase(async (db) => {
      await checkFile(db);
      return (await readSession(db, KEY)).turns;
    });
    expect(turns).toHaveLength(afterCrash.length + 1);
    assertFirstTurn(turns[0], firstQuestion);
    for (const turn of turns.slice(1, -1)) expect(turn.status).toBe("partial");
    const continued = turns.at(-1);
    expect(continued?.status).toBe("complete");
    expect(continued?.answer).toBe("Welcome back.");
    expect(JSON.stringify(continued?.input)).toContain("Are you still there?");
    expect([turns[0]?.id, killedTurn?.id]).toContain(continued?.parentId);
    expect(turns.filter((turn) => turn.status === "complete")).toHaveLength(2);
  }, 60_000);
});

function assertFirstTurn(turn: StoredTurn | undefined, question: string): void {
  expect(turn?.status).toBe("complete");
  expect(turn?.parentId).toBeNull();
  expect(JSON.stringify(turn?.input)).toContain(question);
  expect(turn?.answer).toContain("Blue it is!");
  expect(functionCallNames(turn)).toEqual(["set_favorite_color"]);
  expect(JSON.stringify(turn?.steps)).toContain("functionResponse");
}

function tail(): string {
  return lines.slice(-40).join("\n");
}
