import { mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { type AppDatabase, branchOf, openDatabase, readSession } from "@agentllm/runtime";
import { type PostgresServer, startPostgresServer } from "@agentllm/runtime/testing";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import type OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ChildService, httpOk, startChildService } from "../src/child-service.ts";
import { assertBuildFresh } from "../src/compiled-build.ts";
import { freePort } from "../src/free-port.ts";
import { repoRoot } from "../src/repo-paths.ts";
import {
  DEFAULT_MASTER_KEY,
  RUNTIME_NODE_OPTIONS,
  randomFernetKey,
  runtimeArgs,
} from "../src/start-stack.ts";
import { startProxyClient } from "./proxy-client.ts";

// Three runtime processes (the built runtime) on one throwaway Postgres, behind one real LiteLLM
// proxy whose AGENTLLM_RUNTIME_URL lists all three: the bridge spreads calls over them and fails
// over only when a runtime certainly did not start the run. Which runtime answered comes from the
// bridge's "runtime answered" log line. Ordering comes from a gate in front of the fake Gemini and
// from stalled fake turns, never from timing.

const MODEL = "agno/demo-agent";
const RUNTIME_TOKEN = "replicas-test-runtime-token-0123456789";
type Message = OpenAI.ChatCompletionMessageParam;

/** In front of the fake Gemini: passes model calls through (streamed), or holds the next one. */
interface Gate {
  readonly url: string;
  /** Hold the next model call until `open()`; resolves once it arrived. */
  holdNext(): { arrived: Promise<void>; open(): void };
  close(): Promise<void>;
}

async function startGate(target: string): Promise<Gate> {
  let next: { arrive(): void; opened: Promise<void> } | undefined;
  const server: Server = createServer((req, res) => {
    const forward = () => {
      const upstream = httpRequest(
        `${target}${req.url}`,
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      // The runtime went away (killed, or its client left): so does the call to the model.
      res.on("close", () => upstream.destroy());
      req.pipe(upstream);
    };
    const held = req.url?.includes(":streamGenerateContent") ? next : undefined;
    if (!held) return forward();
    next = undefined;
    held.arrive();
    void held.opened.then(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdNext() {
      let arrive = () => {};
      let open = () => {};
      const arrived = new Promise<void>((resolve) => {
        arrive = resolve;
      });
      const opened = new Promise<void>((resolve) => {
        open = resolve;
      });
      next = { arrive, opened };
      return { arrived, open };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Replica {
  readonly url: string;
  readonly service: ChildService;
  readonly dataDir: string;
}

let postgres: PostgresServer;
let databaseUrl: string;
let admin: pg.Client;
let database: AppDatabase;
let gemini: FakeGemini;
let gate: Gate;
let proxy: ChildService;
let client: OpenAI;
const replicas: Replica[] = [];
const bridgeLines: string[] = [];
const encryptionKey = randomFernetKey();

async function startReplica(): Promise<Replica> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-replica-"));
  const service = startChildService({
    name: `runtime-${replicas.length + 1}`,
    command: process.execPath,
    args: runtimeArgs("compiled"),
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
      AGENTLLM_RUNTIME_HOST: "127.0.0.1",
      AGENTLLM_RUNTIME_PORT: String(port),
      AGENTLLM_PUBLIC_PORT: String(await freePort()),
      // Every replica: the same database, vault key and runtime token.
      DATABASE_URL: databaseUrl,
      AGENTLLM_DATABASE_POOL_SIZE: "3",
      AGENTLLM_TOKEN_ENCRYPTION_KEY: encryptionKey,
      AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
      AGENTLLM_DATA_DIR: dataDir,
      AGENTLLM_MODEL_RETRIES: "0",
      // A drain that waits for its run as long as the test needs; the test ends that run itself.
      AGENTLLM_DRAIN_SECONDS: "600",
      AGENTLLM_LOG_LEVEL: "warn",
      GEMINI_API_KEY: "fake-gemini-key",
      GOOGLE_GEMINI_BASE_URL: gate.url,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const replica = { url, service, dataDir };
  replicas.push(replica);
  await service.waitUntil(httpOk(`${url}/readyz`), 90_000);
  return replica;
}

beforeAll(async () => {
  await assertBuildFresh();
  postgres = await startPostgresServer();
  databaseUrl = await postgres.createDatabase();
  admin = new pg.Client(databaseUrl);
  await admin.connect();
  gemini = await startFakeGemini({ port: 0 });
  gate = await startGate(gemini.url);
  // One at a time: the first runs the migrations.
  for (let i = 0; i < 3; i++) await startReplica();
  database = await openDatabase({ dataDir: replicas[0]?.dataDir ?? "", databaseUrl });
  ({ proxy, client } = await startProxyClient({
    runtimeUrl: replicas.map((replica) => replica.url).join(","),
    runtimeToken: RUNTIME_TOKEN,
    masterKey: DEFAULT_MASTER_KEY,
    geminiApiKey: "fake-gemini-key",
    onLine: (line) => {
      if (line.includes("agentllm_bridge")) bridgeLines.push(line);
    },
  }));
}, 240_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all(replicas.map((replica) => replica.service.kill()));
  await gate?.close();
  await gemini?.close();
  await database?.close();
  await admin?.end();
  await postgres?.stop();
  for (const replica of replicas) rmSync(replica.dataDir, { recursive: true, force: true });
});

const identity = (user: string, chat: string) => ({
  headers: { "X-OpenWebUI-User-Id": user, "X-OpenWebUI-Chat-Id": chat },
});

async function ask(user: string, chat: string, messages: Message[]): Promise<string> {
  const reply = await client.chat.completions.create(
    { model: MODEL, messages },
    identity(user, chat),
  );
  return reply.choices[0]?.message.content ?? "";
}

/** The runtime URL of each "runtime answered" line since line `from`. */
function answeredBy(from = 0): string[] {
  return bridgeLines
    .slice(from)
    .map((line) => /runtime answered .* url=(\S+)/.exec(line)?.[1])
    .filter((url): url is string => url !== undefined);
}

const modelCalls = () => gemini.requests.filter((r) => r.method === "streamGenerateContent");
const lastContents = () => JSON.stringify(modelCalls().at(-1)?.body.contents);

async function storedAnswers(user: string, chat: string): Promise<string[]> {
  const session = await readSession(database.db, {
    userId: user,
    agent: "demo-agent",
    sessionId: chat,
  });
  return branchOf(session).map((turn) => turn.answer ?? "");
}

/** Backends waiting in Postgres' queue for a session's advisory lock. */
async function waitingForLock(): Promise<number> {
  const { rows } = await admin.query<{ count: string }>(
    "select count(*) from pg_locks where locktype = 'advisory' and not granted",
  );
  return Number(rows[0]?.count);
}

describe("several runtimes behind one LiteLLM proxy", () => {
  it("spreads one conversation's messages over the replicas, each seeing the whole history", async () => {
    const from = bridgeLines.length;
    const history: Message[] = [];
    for (const [question, reply] of [
      ["My cat is called Miso.", "Noted: Miso."],
      ["She is three years old.", "Three, noted."],
      ["What do you know about my cat?", "Miso, three years old."],
    ] as const) {
      gemini.enqueue({ parts: [reply] });
      history.push({ role: "user", content: question });
      history.push({ role: "assistant", content: await ask("rita", "chat-spread", history) });
    }
    // Round-robin: three messages, three different runtimes.
    expect(new Set(answeredBy(from)).size).toBe(3);
    // The third runtime's model call carried what the other two stored.
    for (const earlier of ["Miso.", "three years old", "Noted: Miso.", "Three, noted."]) {
      expect(lastContents()).toContain(earlier);
    }
    expect(await storedAnswers("rita", "chat-spread")).toEqual([
      "Noted: Miso.",
      "Three, noted.",
      "Miso, three years old.",
    ]);
  });

  it("makes a second tab on the same chat wait for the first on another replica; the history never interleaves", async () => {
    const from = bridgeLines.length;
    const first: Message[] = [{ role: "user", content: "first tab" }];
    const held = gate.holdNext();
    gemini.enqueue({ parts: ["One."] });
    const holding = ask("tess", "chat-tabs", first);
    await held.arrived;

    // The second tab lands on another replica and waits for the chat's lock there.
    const second: Message[] = [
      ...first,
      { role: "assistant", content: "One." },
      { role: "user", content: "second tab" },
    ];
    const waiting = ask("tess", "chat-tabs", second);
    await vi.waitFor(async () => expect(await waitingForLock()).toBe(1), { timeout: 20_000 });

    gemini.enqueue({ parts: ["Two."] });
    held.open();
    expect(await holding).toBe("One.");
    expect(await waiting).toBe("Two.");
    const [byFirst, bySecond] = answeredBy(from);
    expect(byFirst).not.toBe(bySecond);
    // The second ran on the first's stored turn, in order.
    expect(lastContents()).toMatch(/first tab.*One\..*second tab/);
    expect(await storedAnswers("tess", "chat-tabs")).toEqual(["One.", "Two."]);
  });

  it("gives a clean error when the answering replica is killed mid-answer; another answers next, with everything stored before", async () => {
    const history: Message[] = [{ role: "user", content: "Remember the word tangerine." }];
    gemini.enqueue({ parts: ["Tangerine, remembered."] });
    history.push({ role: "assistant", content: await ask("kim", "chat-kill", history) });

    const from = bridgeLines.length;
    gemini.enqueue({ parts: ["Partial", " answer", " never", " finished"], stallAfter: 1 });
    const stream = await client.chat.completions.create(
      {
        model: MODEL,
        messages: [...history, { role: "user", content: "Tell me a long story." }],
        stream: true,
      },
      identity("kim", "chat-kill"),
    );
    const chunks = stream[Symbol.asyncIterator]();
    let text = "";
    while (!text.includes("Partial")) {
      const next = await chunks.next();
      if (next.done) throw new Error(`the stream ended before its first words: ${text}`);
      text += next.value.choices[0]?.delta.content ?? "";
    }
    const victimUrl = answeredBy(from).at(-1);
    const victim = replicas.find((replica) => replica.url === victimUrl);
    expect(victim).toBeDefined();
    await victim?.service.kill("SIGKILL");

    // The client's stream ends with an error, not a hang or a "finished" answer.
    await expect(
      (async () => {
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
          text += next.value.choices[0]?.delta.content ?? "";
        }
      })(),
    ).rejects.toThrow();
    expect(text).not.toContain("finished");

    // Everything stored before the kill is there, and another replica answers with it.
    expect(await storedAnswers("kim", "chat-kill")).toContain("Tangerine, remembered.");
    const after = bridgeLines.length;
    gemini.enqueue({ parts: ["You asked me to remember tangerine."] });
    const answer = await ask("kim", "chat-kill", [
      ...history,
      { role: "user", content: "What word did I ask you to remember?" },
    ]);
    expect(answer).toBe("You asked me to remember tangerine.");
    expect(lastContents()).toContain("Remember the word tangerine.");
    expect(lastContents()).toContain("Tangerine, remembered.");
    expect(answeredBy(after)).toHaveLength(1);
    expect(answeredBy(after)[0]).not.toBe(victimUrl);
  });

  it("sends new messages to the others, without an error, while a replica drains and once it is gone", async () => {
    const live = [];
    for (const replica of replicas) {
      if (
        replica.service.process.exitCode === null &&
        replica.service.process.signalCode === null
      ) {
        live.push(replica);
      }
    }
    expect(live.length).toBeGreaterThanOrEqual(2);

    // A run in flight keeps the draining replica draining until the test ends that run.
    const from = bridgeLines.length;
    gemini.enqueue({ parts: ["Held", " words"], stallAfter: 1 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Hold on." }], stream: true },
      { ...identity("dana", "chat-held"), signal: controller.signal },
    );
    const chunks = stream[Symbol.asyncIterator]();
    let text = "";
    while (!text.includes("Held")) {
      const next = await chunks.next();
      if (next.done) throw new Error(`the stream ended before its first words: ${text}`);
      text += next.value.choices[0]?.delta.content ?? "";
    }
    const drainingUrl = answeredBy(from).at(-1);
    const draining = replicas.find((replica) => replica.url === drainingUrl);
    expect(draining).toBeDefined();
    draining?.service.process.kill("SIGTERM");
    await vi.waitFor(async () => expect((await fetch(`${drainingUrl}/readyz`)).status).toBe(503), {
      timeout: 20_000,
    });

    // The draining one comes up in turn (or right after the killed one): it refuses without
    // running, and the bridge sends the call on. Bounded: a few rounds at most.
    const during = bridgeLines.length;
    const refused = () =>
      bridgeLines.slice(during).some((line) => line.includes("runtime refused, trying another"));
    for (let i = 0; i < 3 * replicas.length && !refused(); i++) {
      gemini.enqueue({ parts: [`While draining ${i}.`] });
      expect(await ask("dana", `chat-drain-${i}`, [{ role: "user", content: "Hello" }])).toBe(
        `While draining ${i}.`,
      );
    }
    expect(refused()).toBe(true);
    expect(answeredBy(during)).not.toContain(drainingUrl);

    // The held answer's client leaves; its run ends, the drain completes, the process exits 0.
    controller.abort();
    await expect(draining?.service.exited).resolves.toMatchObject({ code: 0 });

    // Gone: connections are refused, and the bridge sends the call on.
    const gone = bridgeLines.length;
    for (let i = 0; i < replicas.length; i++) {
      gemini.enqueue({ parts: [`After ${i}.`] });
      expect(await ask("dana", `chat-gone-${i}`, [{ role: "user", content: "Hello" }])).toBe(
        `After ${i}.`,
      );
    }
    expect(answeredBy(gone)).not.toContain(drainingUrl);
    // The proxy stays ready while one runtime is.
    expect((await fetch(`${proxyUrlOf(client)}/health/readiness`)).status).toBe(200);
  });
});

function proxyUrlOf(openai: OpenAI): string {
  return openai.baseURL.replace(/\/v1\/?$/, "");
}
