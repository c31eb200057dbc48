import { type AppDatabase, branchOf, openDatabase, readSession } from "@agentllm/runtime";
import { type PostgresServer, startPostgresServer } from "@agentllm/runtime/testing";
import OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { joinedContent } from "./proxy-client.ts";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// A conversation's Postgres lock lost mid-run, seen by a client of the real LiteLLM proxy: the
// lock connection's backend is terminated from outside while the fake Gemini holds the answer
// open, so the run is certainly inside its lock when it goes. No timing is asserted.

const MODEL = "agno/demo-agent";
/** Trust auth ignores it, but a password in DATABASE_URL must never reach a client or a log. */
const DB_PASSWORD = "lock-lost-db-password-0123456789";
const PATIENCE = { timeout: 20_000 };
type Message = OpenAI.ChatCompletionMessageParam;

let postgres: PostgresServer;
let admin: pg.Client;
let database: AppDatabase;
let fx: StackFixture;
const lines: string[] = [];

beforeAll(async () => {
  postgres = await startPostgresServer();
  const plain = await postgres.createDatabase();
  admin = new pg.Client(plain);
  await admin.connect();
  fx = await startStackFixture({
    env: {
      DATABASE_URL: plain.replace(
        "postgresql://postgres@",
        `postgresql://postgres:${DB_PASSWORD}@`,
      ),
      AGENTLLM_MODEL_RETRIES: "0",
    },
    onLine: (_service, line) => lines.push(line),
  });
  database = await openDatabase({ dataDir: fx.dataDir, databaseUrl: plain });
}, 180_000);

afterAll(async () => {
  await fx?.close();
  await database?.close();
  await admin?.end();
  await postgres?.stop();
});

beforeEach(() => fx.gemini.reset());

const identity = (chat: string) => ({
  headers: { "X-OpenWebUI-User-Id": "lena", "X-OpenWebUI-Chat-Id": chat },
});

const modelCalls = () => fx.gemini.requests.filter((r) => r.method === "streamGenerateContent");

/**
 * Terminates the backend of the one lock connection holding the `locks` advisory locks taken
 * now (free chats all lock on the runtime's one shared connection).
 */
async function killLockConnection(locks = 1): Promise<void> {
  // The previous test's lock may still be on its way out (its unlock follows the response).
  const holder = await vi.waitFor(async () => {
    const { rows } = await admin.query<{ pid: number; name: string; locks: string }>(
      `select l.pid, a.application_name as name, count(*) as locks
         from pg_locks l join pg_stat_activity a using (pid)
        where l.locktype = 'advisory' and l.granted group by l.pid, a.application_name`,
    );
    expect(rows.map((row) => Number(row.locks))).toEqual([locks]);
    return rows[0];
  }, PATIENCE);
  expect(holder?.name).toBe("agentllm-session-lock");
  const { rows: killed } = await admin.query<{ done: boolean }>(
    "select pg_terminate_backend($1) as done",
    [holder?.pid],
  );
  expect(killed[0]?.done).toBe(true);
}

async function turnsOf(chat: string) {
  const session = await readSession(database.db, {
    userId: "lena",
    agent: "demo-agent",
    sessionId: chat,
  });
  return branchOf(session);
}

/** No secret in what a client or an operator reads. */
function expectNoSecret(text: string): void {
  expect(text).not.toContain(DB_PASSWORD);
  expect(text).not.toContain(fx.stack.runtimeToken);
}

/**
 * What a client gets: the runtime's message naming the lost database connection, the status
 * the runtime gives it (LiteLLM puts the status in `code`), no secret, no traceback.
 */
function expectLockLost(failure: unknown): InstanceType<typeof OpenAI.APIError> {
  expect(failure).toBeInstanceOf(OpenAI.APIError);
  const error = failure as InstanceType<typeof OpenAI.APIError>;
  expect(error.message).toMatch(/lost its database connection holding this conversation's lock/);
  expect(error.error).toMatchObject({ code: "503" });
  const seen = JSON.stringify({ message: error.message, body: error.error });
  expectNoSecret(seen);
  // LiteLLM logs a traceback for every failed call (its own stdout); none reaches the client.
  expect(seen).not.toMatch(/Traceback|File "/);
  return error;
}

async function ask(chat: string, messages: Message[]): Promise<string> {
  const reply = await fx.client.chat.completions.create({ model: MODEL, messages }, identity(chat));
  return reply.choices[0]?.message.content ?? "";
}

describe("a conversation lock lost mid-run, through the LiteLLM proxy", () => {
  it("ends a stream with an error naming the database, stores the partial turn, and answers the next message", async () => {
    const question: Message = { role: "user", content: "Tell me a long story." };
    fx.gemini.enqueue({
      parts: ["Once upon", " a time", " it was", " finished"],
      hold: { after: 1, until: "story-rest" },
    });
    const stream = await fx.client.chat.completions.create(
      { model: MODEL, messages: [question], stream: true },
      identity("chat-stream"),
    );
    const chunks = stream[Symbol.asyncIterator]();
    let text = "";
    while (!text.includes("Once upon")) {
      const next = await chunks.next();
      if (next.done) throw new Error(`the stream ended before its first words: ${text}`);
      text += next.value.choices[0]?.delta.content ?? "";
    }

    await killLockConnection();
    const failure = await (async () => {
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        text += next.value.choices[0]?.delta.content ?? "";
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    // The run stopped: its model call was aborted, not left to go on unlocked.
    expect((await fx.gemini.waitForAbort()).aborted).toBe(true);
    // Mid-stream the HTTP status went out as 200: the error is the stream's last event.
    expect(expectLockLost(failure).status).toBeUndefined();
    expect(text).toBe("Once upon");

    // The partial turn is stored, and the chat's lock works again for the next message.
    await vi.waitFor(async () => {
      const turns = await turnsOf("chat-stream");
      expect(turns.map((turn) => [turn.status, turn.answer])).toEqual([["partial", "Once upon"]]);
    }, PATIENCE);
    fx.gemini.enqueue({ parts: ["Back again."] });
    const answer = await ask("chat-stream", [
      question,
      { role: "assistant", content: text },
      { role: "user", content: "Go on?" },
    ]);
    expect(answer).toBe("Back again.");
    expect(JSON.stringify(modelCalls().at(-1)?.body.contents)).toContain("Once upon");
    expect((await turnsOf("chat-stream")).map((turn) => turn.status)).toEqual([
      "partial",
      "complete",
    ]);
    expectNoSecret(lines.join("\n"));
  });

  it("answers a non-streamed request 503 naming the lost database connection, stores the partial turn, and answers the next one", async () => {
    const question: Message = { role: "user", content: "A short one, please." };
    fx.gemini.enqueue({ parts: ["Never", " sent."], hold: { after: 0, until: "unary-rest" } });
    const asking = ask("chat-unary", [question]).then(
      () => undefined,
      (error: unknown) => error,
    );
    await fx.gemini.waitForRequest();

    await killLockConnection();
    const failure = await asking;
    expect((await fx.gemini.waitForAbort()).aborted).toBe(true);
    const error = expectLockLost(failure);
    expect(error.status).toBe(503);
    // The runtime's own wait, as its message says ("retry in 1 s"), through LiteLLM.
    expect(error.headers?.get("retry-after")).toBe("1");

    await vi.waitFor(async () => {
      const turns = await turnsOf("chat-unary");
      expect(turns.map((turn) => turn.status)).toEqual(["partial"]);
    }, PATIENCE);
    fx.gemini.enqueue({ parts: ["Here it is."] });
    expect(await ask("chat-unary", [question])).toBe("Here it is.");
    expectNoSecret(lines.join("\n"));
  });
  it("stops every run locked on the shared connection, one streaming and one before its first token; both chats answer next", async () => {
    fx.gemini.enqueue({ parts: ["First", " words", " only"], hold: { after: 1, until: "a-rest" } });
    const talking = await fx.client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Talk." }], stream: true },
      identity("chat-talking"),
    );
    const chunks = talking[Symbol.asyncIterator]();
    let text = "";
    while (!text.includes("First")) {
      const next = await chunks.next();
      if (next.done) throw new Error(`the stream ended before its first words: ${text}`);
      text += next.value.choices[0]?.delta.content ?? "";
    }
    // The second chat's model call is held before any token: nothing streamed yet.
    fx.gemini.enqueue({ parts: ["Silent", " so far"], hold: { after: 0, until: "b-rest" } });
    const silent = (async () => {
      const stream = await fx.client.chat.completions.create(
        { model: MODEL, messages: [{ role: "user", content: "Think first." }], stream: true },
        identity("chat-silent"),
      );
      return joinedContent(stream);
    })().then(
      (answer) => new Error(`the silent stream finished: ${answer}`),
      (error: unknown) => error,
    );
    await vi.waitFor(() => expect(modelCalls()).toHaveLength(2), PATIENCE);

    await killLockConnection(2);
    const failures = await Promise.all([
      (async () => {
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
          text += next.value.choices[0]?.delta.content ?? "";
        }
      })().then(
        () => undefined,
        (error: unknown) => error,
      ),
      silent,
    ]);
    const [cut, refused] = failures.map(expectLockLost);
    // A stream with words ends with the error event; one without any is still an HTTP 503
    // (LiteLLM sends a stream's headers with its first chunk).
    expect(cut?.status).toBeUndefined();
    expect(refused?.status).toBe(503);
    expect(text).toBe("First");
    for (const index of [0, 1]) expect((await fx.gemini.waitForAbort(index)).aborted).toBe(true);

    for (const [chat, answer] of [
      ["chat-talking", "First"],
      ["chat-silent", ""],
    ] as const) {
      await vi.waitFor(async () => {
        const turns = await turnsOf(chat);
        expect(turns.map((turn) => [turn.status, turn.answer])).toEqual([["partial", answer]]);
      }, PATIENCE);
      fx.gemini.enqueue({ parts: [`Fine in ${chat}.`] });
      expect(await ask(chat, [{ role: "user", content: "Again?" }])).toBe(`Fine in ${chat}.`);
    }
    expectNoSecret(lines.join("\n"));
  });
});
