import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { RecordedRequest } from "@agentllm/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { branchOf, readSession } from "../src/sessions/index.ts";
import { LOCK_APPLICATION_NAME } from "../src/sessions/postgres-session-locks.ts";
import { type PostgresServer, startPostgresServer } from "../src/testing/postgres-server.ts";
import { RUNTIME_TOKEN, type RuntimeHarness, startRuntimeHarness } from "./runtime-harness.ts";

// Several runtimes on one Postgres database: one run per conversation across all of them.
// Ordering comes from a gate in front of the holder's Gemini, never from timing.

/**
 * Holds every model call (`streamGenerateContent`) until `open()`, then forwards it to `target`
 * whole. Anything else (the knowledge index's embedding calls at start) passes at once.
 */
interface Gate {
  readonly url: string;
  /** Where calls go once let through: the runtime's fake Gemini, known after it started. */
  setTarget(url: string): void;
  /** Model calls that arrived (held or passed). */
  readonly arrived: string[];
  open(): void;
  close(): Promise<void>;
}

async function startGate(): Promise<Gate> {
  let release: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  let setTarget: (url: string) => void = () => {};
  const target = new Promise<string>((resolve) => {
    setTarget = resolve;
  });
  const gate: Gate = {
    url: "",
    setTarget: (url) => setTarget(url),
    arrived: [],
    open: () => release(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url?.includes(":streamGenerateContent")) {
      gate.arrived.push(req.url);
      await opened;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string" && !["host", "content-length", "connection"].includes(name)) {
        headers.set(name, value);
      }
    }
    try {
      const upstream = await fetch(`${await target}${req.url}`, {
        method: req.method ?? "POST",
        headers,
        body: chunks.length > 0 ? Buffer.concat(chunks) : null,
      });
      res.writeHead(upstream.status, {
        "content-type": upstream.headers.get("content-type") ?? "application/json",
      });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      // A call held past its caller's end (a stopped run, the file's end) has no one to answer.
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  Object.assign(gate, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return gate;
}

/** vi.waitFor polls for a state; the shared machine can be slow to reach it. */
const PATIENCE = { timeout: 30_000, interval: 20 };

let postgres: PostgresServer;
let url: string;
let admin: pg.Client;
const harnesses: RuntimeHarness[] = [];
const gates: Gate[] = [];

beforeAll(async () => {
  postgres = await startPostgresServer();
  url = await postgres.createDatabase();
  admin = new pg.Client(url);
  await admin.connect();
}, 60_000);

afterAll(async () => {
  for (const gate of gates) gate.open();
  await Promise.all(harnesses.map((h) => h.close()));
  await Promise.all(gates.map((gate) => gate.close()));
  await admin?.end();
  await postgres?.stop();
});

async function runtime(env: Record<string, string> = {}, gate?: Gate): Promise<RuntimeHarness> {
  const h = await startRuntimeHarness({
    env: { DATABASE_URL: url, AGENTLLM_DATABASE_POOL_SIZE: "2", ...env },
    ...(gate ? { geminiBaseUrl: gate.url } : {}),
  });
  harnesses.push(h);
  gate?.setTarget(h.gemini.url);
  return h;
}

async function gated(env: Record<string, string> = {}) {
  const gate = await startGate();
  gates.push(gate);
  return { gate, h: await runtime(env, gate) };
}

function chat(
  h: RuntimeHarness,
  messages: { role: string; content: string }[],
  identity: { user: string; session: string },
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${h.runtime.url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${RUNTIME_TOKEN}`,
      "content-type": "application/json",
      "x-agentllm-user-id": identity.user,
      "x-agentllm-session-id": identity.session,
    },
    body: JSON.stringify({ model: "agno/demo-agent", messages }),
    ...(signal ? { signal } : {}),
  });
}

async function answer(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? "";
}

/** Backends waiting in Postgres' queue for an advisory lock. */
async function waitingBackends(): Promise<number> {
  const { rows } = await admin.query<{ count: string }>(
    "select count(*) from pg_locks where locktype = 'advisory' and not granted",
  );
  return Number(rows[0]?.count);
}

async function lockConnections(): Promise<number> {
  const { rows } = await admin.query<{ count: string }>(
    "select count(*) from pg_stat_activity where application_name = $1",
    [LOCK_APPLICATION_NAME],
  );
  return Number(rows[0]?.count);
}

/** The user texts a model call was sent. */
const userTexts = (call: RecordedRequest) =>
  (call.body.contents ?? [])
    .filter((content) => content.role === "user")
    .flatMap((content) => (content.parts ?? []).map((part) => part.text));

const modelCalls = (h: RuntimeHarness) =>
  h.gemini.requests.filter((r) => r.method === "streamGenerateContent");

describe("the session lock across runtimes on one Postgres", () => {
  it("makes the same chat wait on another runtime, then run on the stored history; 409 past the wait; other chats and users go on", async () => {
    const { gate, h: a } = await gated();
    const b = await runtime();
    const impatient = await runtime({ AGENTLLM_SESSION_WAIT_MS: "0" });
    const alice = { user: "alice", session: "chat-1" };
    const first = [{ role: "user", content: "first" }];

    a.gemini.enqueue({ parts: ["One."] });
    const holding = chat(a, first, alice);
    await vi.waitFor(() => expect(gate.arrived).toHaveLength(1), PATIENCE);

    const next = [
      ...first,
      { role: "assistant", content: "One." },
      { role: "user", content: "second" },
    ];
    const waiting = chat(b, next, alice);
    await vi.waitFor(async () => expect(await waitingBackends()).toBe(1), PATIENCE);

    const busy = await chat(impatient, next, alice);
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { error: { code: string } }).error.code).toBe("session_busy");
    // The lock's metrics count the Postgres wait as they do the in-process one.
    const metrics = await (await impatient.fetch("/metrics", { token: null })).text();
    expect(metrics).toMatch(/^agentllm_session_busy_total 1$/m);
    expect(metrics).toMatch(/^agentllm_session_lock_wait_seconds_count 1$/m);

    // A different chat of the same user, and the same chat id of another user, never wait.
    b.gemini.enqueue({ parts: ["Other chat."] });
    expect(await answer(await chat(b, first, { user: "alice", session: "chat-2" }))).toBe(
      "Other chat.",
    );
    impatient.gemini.enqueue({ parts: ["Bob's."] });
    expect(await answer(await chat(impatient, first, { user: "bob", session: "chat-1" }))).toBe(
      "Bob's.",
    );
    // The waiting request has not reached its model: b only answered the other chat.
    expect(modelCalls(b).map(userTexts)).toEqual([["first"]]);

    b.gemini.enqueue({ parts: ["Two."] });
    gate.open();
    expect(await answer(await holding)).toBe("One.");
    expect(await answer(await waiting)).toBe("Two.");
    const session = await readSession(a.db.db, {
      userId: "alice",
      agent: "demo-agent",
      sessionId: "chat-1",
    });
    expect(branchOf(session).map((turn) => turn.answer)).toEqual(["One.", "Two."]);
    expect(await waitingBackends()).toBe(0);
  });

  it("cancels the waiting backend when the client leaves, and keeps the lock connections", async () => {
    const { gate, h: a } = await gated();
    const b = await runtime();
    const carol = { user: "carol", session: "chat-1" };
    a.gemini.enqueue({ parts: ["Held."] });
    const holding = chat(a, [{ role: "user", content: "hold" }], carol);
    await vi.waitFor(() => expect(gate.arrived).toHaveLength(1), PATIENCE);

    const controller = new AbortController();
    const leaving = chat(b, [{ role: "user", content: "leave" }], carol, controller.signal);
    await vi.waitFor(async () => expect(await waitingBackends()).toBe(1), PATIENCE);
    const connections = await lockConnections();
    controller.abort();
    await expect(leaving).rejects.toThrow();
    await vi.waitFor(async () => expect(await waitingBackends()).toBe(0), PATIENCE);
    expect(await lockConnections()).toBe(connections);

    gate.open();
    expect(await answer(await holding)).toBe("Held.");
    // The conversation is free for b now.
    b.gemini.enqueue({ parts: ["Free."] });
    expect(await answer(await chat(b, [{ role: "user", content: "again" }], carol))).toBe("Free.");
  });

  it("runs many chats at once on one lock connection per runtime", async () => {
    const { gate, h } = await gated();
    const before = await lockConnections();
    const chats = Array.from({ length: 6 }, (_, n) => ({ user: "dave", session: `chat-${n}` }));
    for (const _ of chats) h.gemini.enqueue({ parts: ["Done."] });
    const running = chats.map((identity) => chat(h, [{ role: "user", content: "go" }], identity));
    // Every run holds its chat's lock and waits at its model call.
    await vi.waitFor(() => expect(gate.arrived).toHaveLength(chats.length), PATIENCE);
    // One backend holds all six locks; other tests' connections may still be closing.
    await vi.waitFor(async () => {
      const { rows } = await admin.query<{ locks: string }>(
        "select count(*) as locks from pg_locks where locktype = 'advisory' and granted group by pid",
      );
      expect(rows.map((row) => Number(row.locks))).toEqual([chats.length]);
      expect(await lockConnections()).toBe(before + 1);
    }, PATIENCE);
    gate.open();
    for (const response of running) expect(await answer(await response)).toBe("Done.");
  });
  it("stops a run whose lock connection died, stores it as partial, and lets another runtime take the chat", async () => {
    const { gate, h: a } = await gated();
    const b = await runtime();
    const erin = { user: "erin", session: "chat-1" };
    a.gemini.enqueue({ parts: ["Never sent."] });
    const holding = chat(a, [{ role: "user", content: "hold" }], erin);
    await vi.waitFor(() => expect(gate.arrived).toHaveLength(1), PATIENCE);
    const { rows } = await admin.query<{ pid: number }>(
      "select pid from pg_locks where locktype = 'advisory' and granted",
    );
    expect(rows).toHaveLength(1);
    await admin.query("select pg_terminate_backend($1)", [rows[0]?.pid]);

    // The run stops at once instead of going on unlocked: another runtime may take the chat.
    const stopped = await holding;
    expect(stopped.status).toBe(503);
    expect(await stopped.json()).toMatchObject({
      error: { code: "database_unavailable", message: expect.stringContaining("lost") },
    });
    const session = await readSession(a.db.db, {
      userId: "erin",
      agent: "demo-agent",
      sessionId: "chat-1",
    });
    expect(session.turns.map((turn) => turn.status)).toEqual(["partial"]);

    b.gemini.enqueue({ parts: ["Taken over."] });
    expect(await answer(await chat(b, [{ role: "user", content: "hold" }], erin))).toBe(
      "Taken over.",
    );
  });
});
