import net from "node:net";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

/**
 * Bad and odd input through the real LiteLLM proxy (bridge guard, bridge, runtime, fake Gemini),
 * one raw `fetch` per row. Every row ends in an exact 4xx with an OpenAI error naming the
 * problem (never a 500, a traceback or a file path), or in a normal answer. The guard's limits
 * are set low here so the limit rows and the idle-socket test are quick; bridge/README.md has
 * the defaults.
 */

const MODEL = "agno/demo-agent";
const MAX_BODY_BYTES = 256 * 1024;
const MAX_JSON_DEPTH = 64;
/** Seconds: a connection's headers, a request's body. Short so idle sockets close quickly. */
const HEADER_TIMEOUT_S = 1;
const BODY_TIMEOUT_S = 1;

let fx: StackFixture;
/** A second fake Gemini for LiteLLM's own `gemini-2.5-flash` (the runtime talks to fx.gemini). */
let directGemini: FakeGemini;

beforeAll(async () => {
  directGemini = await startFakeGemini({ port: 0 });
  fx = await startStackFixture({
    env: {
      AGENTLLM_PROXY_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      AGENTLLM_PROXY_MAX_JSON_DEPTH: String(MAX_JSON_DEPTH),
      AGENTLLM_PROXY_HEADER_TIMEOUT_S: String(HEADER_TIMEOUT_S),
      AGENTLLM_PROXY_KEEPALIVE_TIMEOUT_S: String(HEADER_TIMEOUT_S),
      AGENTLLM_PROXY_BODY_TIMEOUT_S: String(BODY_TIMEOUT_S),
      // A conversation waits this long for its turn, then 409: shows a run was really stopped.
      AGENTLLM_SESSION_WAIT_MS: "1500",
      // LiteLLM appends /models/<model>:generateContent to it.
      GEMINI_API_BASE: `${directGemini.url}/v1beta`,
    },
  });
}, 120_000);

afterAll(async () => {
  await fx?.close();
  await directGemini?.close();
});

beforeEach(() => {
  fx.gemini.reset();
  directGemini.reset();
});

const chat = (extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [{ role: "user", content: "Hi there" }],
  ...extra,
});
const userSays = (content: unknown, extra: Record<string, unknown> = {}) =>
  chat({ messages: [{ role: "user", content }], ...extra });
function form(fields: Record<string, string | Blob>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}
/** The body object is level 1, `metadata` 2, its field 3: `levels` arrays make it levels + 2 deep. */
const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
/** `chat()` as JSON text with `raw` spliced in as the last field: for what JSON.stringify cannot write. */
const rawChat = (raw: string, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify(chat(extra)).slice(0, -1)},${raw}}`;

type Expectation =
  | { readonly answer: "json" | "sse" }
  | {
      readonly status: number;
      readonly message: RegExp;
      /** Our guard's own code; rows answered by the runtime carry LiteLLM's ("400"). */
      readonly code?: string;
      readonly param?: string | null;
    };

interface Case {
  readonly name: string;
  readonly path?: string;
  /** Strings, bytes and forms go as they are; anything else as JSON. */
  readonly body: unknown;
  /** `content-type` defaults to application/json, `authorization` to the master key; "" drops one. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly expect: Expectation;
}

const answers = { answer: "json" } as const;
const streams = { answer: "sse" } as const;
const bad = (message: RegExp, code: string, param: string | null = null) =>
  ({ status: 400, message, code, param }) as const;
const invalid = (message: RegExp, param: string) => bad(message, "invalid_request", param);
const unauthorized = (message: RegExp, code: string) => ({ status: 401, message, code }) as const;
const chatOnly = (path: string) =>
  ({
    status: 400,
    code: "model_not_supported",
    param: "model",
    message: new RegExp(
      `model ${MODEL} is chat-only: call it on /v1/chat/completions, not ${path}`,
    ),
  }) as const;
/** A 400 from the runtime's own validation, passed through LiteLLM. */
const runtime400 = (message: RegExp) => ({ status: 400, message }) as const;

// biome-ignore format: the table reads best one row per line
const cases: readonly Case[] = [
  // --- The body is not a JSON object ---
  { name: "JSON array", body: "[]", expect: bad(/request body must be a JSON object, not an array/, "invalid_body") },
  { name: "array of requests", body: [chat()], expect: bad(/must be a JSON object, not an array/, "invalid_body") },
  { name: "bare string", body: '"hello"', expect: bad(/must be a JSON object, not a string/, "invalid_body") },
  { name: "bare number", body: "42", expect: bad(/must be a JSON object, not a number/, "invalid_body") },
  { name: "JSON null", body: "null", expect: bad(/must be a JSON object, not null/, "invalid_body") },
  { name: "JSON true", body: "true", expect: bad(/must be a JSON object, not a boolean/, "invalid_body") },
  { name: "truncated JSON", body: '{"model": "agno/demo-agent", "messages": [', expect: bad(/request body is not valid JSON/, "invalid_json") },
  // LiteLLM's own clean 400s.
  { name: "empty body", body: "", expect: { status: 400, message: /Missing required parameter: 'messages'/ } },
  { name: "invalid UTF-8", body: Buffer.concat([Buffer.from(rawChat('"x": "')), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), expect: bad(/not valid UTF-8/, "invalid_encoding") },

  // --- Non-finite numbers anywhere ---
  { name: "NaN temperature", body: rawChat('"temperature": NaN'), expect: bad(/contains NaN, which is not a JSON number/, "invalid_json") },
  { name: "Infinity temperature", body: rawChat('"temperature": Infinity'), expect: bad(/contains Infinity/, "invalid_json") },
  { name: "-Infinity top_p", body: rawChat('"top_p": -Infinity'), expect: bad(/contains -Infinity/, "invalid_json") },
  { name: "1e999 temperature", body: rawChat('"temperature": 1e999'), expect: bad(/contains 1e999, a number too large to represent/, "invalid_json") },
  { name: "NaN deep in metadata", body: rawChat('"metadata": {"a": [{"b": NaN}]}'), expect: bad(/contains NaN/, "invalid_json") },
  { name: "1e999 in a message", body: rawChat('"messages": [{"role": "user", "content": "hi", "weight": 1e999}]'), expect: bad(/1e999/, "invalid_json") },
  { name: "NaN, streaming", body: rawChat('"temperature": NaN', { stream: true }), expect: bad(/contains NaN/, "invalid_json") },

  // --- Nesting ---
  { name: "metadata nested 10,000 levels", body: rawChat(`"metadata": {"a": ${nested(10_000)}}`), expect: bad(new RegExp(`nested more than ${MAX_JSON_DEPTH} levels deep`), "invalid_body") },
  { name: "metadata nested 20,000 objects", body: rawChat(`"metadata": ${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`), expect: bad(/nested more than/, "invalid_body") },
  { name: "metadata one level past the limit", body: rawChat(`"metadata": {"a": ${nested(MAX_JSON_DEPTH - 1)}}`), expect: bad(/nested more than/, "invalid_body") },
  { name: "metadata nested exactly to the limit", body: rawChat(`"metadata": {"a": ${nested(MAX_JSON_DEPTH - 2)}}`), expect: answers },

  // --- Wrong JSON types in messages and content ---
  { name: "messages a number", body: chat({ messages: 5 }), expect: invalid(/^messages: must be an array of messages/, "messages") },
  { name: "messages an object", body: chat({ messages: { role: "user", content: "Hi" } }), expect: invalid(/^messages: must be an array/, "messages") },
  { name: "messages a string", body: chat({ messages: "Hi" }), expect: invalid(/^messages: must be an array/, "messages") },
  { name: "message a number", body: chat({ messages: [5] }), expect: invalid(/^messages\.0: must be an object/, "messages.0") },
  { name: "message null", body: chat({ messages: [null] }), expect: invalid(/^messages\.0: must be an object/, "messages.0") },
  { name: "role a number", body: chat({ messages: [{ role: 5, content: "Hi" }] }), expect: invalid(/^messages\.0\.role: must be a string/, "messages.0.role") },
  { name: "content a number", body: userSays(42), expect: invalid(/^messages\.0\.content: must be a string, an array of content parts, or null/, "messages.0.content") },
  { name: "content a boolean", body: userSays(true), expect: invalid(/^messages\.0\.content: must be a string/, "messages.0.content") },
  { name: "content an object", body: userSays({ type: "text", text: "Hi" }), expect: invalid(/^messages\.0\.content: must be a string/, "messages.0.content") },
  { name: "content a number, streaming", body: userSays(42, { stream: true }), expect: invalid(/^messages\.0\.content: must be a string/, "messages.0.content") },
  { name: "content part a number", body: userSays([5]), expect: invalid(/^messages\.0\.content\.0: must be a content part object/, "messages.0.content.0") },
  { name: "content part without a type", body: userSays([{ text: "Hi" }]), expect: invalid(/^messages\.0\.content\.0\.type: must be a string/, "messages.0.content.0.type") },
  { name: "unknown content part type", body: userSays([{ type: "hologram", hologram: {} }]), expect: invalid(/^messages\.0\.content\.0\.type: unknown content part type 'hologram'/, "messages.0.content.0.type") },
  { name: "unknown content part type, streaming", body: userSays([{ type: "hologram" }], { stream: true }), expect: invalid(/unknown content part type/, "messages.0.content.0.type") },
  { name: "text part with a number as text", body: userSays([{ type: "text", text: 5 }]), expect: invalid(/^messages\.0\.content\.0\.text: must be a string/, "messages.0.content.0.text") },
  { name: "a later message broken", body: chat({ messages: [{ role: "user", content: "a" }, { role: "assistant", content: "b" }, { role: "user", content: false }] }), expect: invalid(/^messages\.2\.content: /, "messages.2.content") },

  // --- Checked by the runtime, passed through LiteLLM with their status ---
  { name: "unknown role (runtime)", body: chat({ messages: [{ role: "wizard", content: "Hi" }] }), expect: runtime400(/messages\.0\.role: must be one of/) },
  { name: "temperature 3 (runtime)", body: chat({ temperature: 3 }), expect: runtime400(/temperature: .*<=2/) },
  { name: "temperature 3, streaming (runtime)", body: chat({ temperature: 3, stream: true }), expect: runtime400(/temperature: .*<=2/) },
  { name: "last message from the assistant: Continue", body: chat({ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }] }), expect: answers },
  { name: "last message an empty assistant message (runtime)", body: chat({ messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "" }] }), expect: runtime400(/end with a user message/) },
  { name: "an answer to continue without a user message (runtime)", body: chat({ messages: [{ role: "assistant", content: "Hello" }] }), expect: runtime400(/needs a user message before it/) },

  // --- Authorization ---
  { name: "no Authorization", body: chat(), headers: { authorization: "" }, expect: unauthorized(/missing API key: send the header 'Authorization: Bearer <key>'/, "missing_api_key") },
  { name: "Basic credentials", body: chat(), headers: { authorization: "Basic dXNlcjpwdw==" }, expect: unauthorized(/malformed Authorization header: expected 'Bearer <key>'/, "invalid_api_key") },
  { name: "Bearer without a key", body: chat(), headers: { authorization: "Bearer" }, expect: unauthorized(/malformed Authorization header/, "invalid_api_key") },
  { name: "a key with a space in it", body: chat(), headers: { authorization: "Bearer sk one" }, expect: unauthorized(/malformed Authorization header/, "invalid_api_key") },
  { name: "a wrong key", body: chat(), headers: { authorization: "Bearer sk-not-the-master-key" }, expect: unauthorized(/^invalid API key$/, "invalid_api_key") },
  { name: "a wrong key, streaming", body: chat({ stream: true }), headers: { authorization: "Bearer sk-wrong" }, expect: unauthorized(/^invalid API key$/, "invalid_api_key") },

  { name: "a management route without a key", path: "/key/generate", body: {}, headers: { authorization: "" }, expect: unauthorized(/missing API key/, "missing_api_key") },
  { name: "a management route with a wrong key", path: "/model/new", body: {}, headers: { authorization: "Bearer sk-wrong" }, expect: unauthorized(/^invalid API key$/, "invalid_api_key") },

  // --- Fields that would send the call elsewhere, and n ---
  { name: "api_base in the body", body: chat({ api_base: "http://169.254.169.254" }), expect: invalid(/^api_base: not accepted in the request body/, "api_base") },
  { name: "base_url in the body", body: chat({ base_url: "http://127.0.0.1:1" }), expect: invalid(/^base_url: not accepted in the request body/, "base_url") },
  { name: "api_base, streaming", body: chat({ api_base: "http://x", stream: true }), expect: invalid(/^api_base: /, "api_base") },
  { name: "n 2", body: chat({ n: 2 }), expect: invalid(/^n: only n=1 is supported/, "n") },
  { name: "n 0", body: chat({ n: 0 }), expect: invalid(/^n: only n=1 is supported/, "n") },
  { name: "n 2, streaming", body: chat({ n: 2, stream: true }), expect: invalid(/^n: only n=1 is supported/, "n") },
  { name: "n 1", body: chat({ n: 1 }), expect: answers },

  // --- An agent model on another endpoint ---
  { name: "embeddings", path: "/v1/embeddings", body: { model: MODEL, input: "hi" }, expect: chatOnly("/v1/embeddings") },
  { name: "images", path: "/v1/images/generations", body: { model: MODEL, prompt: "a cat" }, expect: chatOnly("/v1/images/generations") },
  { name: "speech", path: "/v1/audio/speech", body: { model: MODEL, input: "hi", voice: "alloy" }, expect: chatOnly("/v1/audio/speech") },
  { name: "rerank", path: "/v1/rerank", body: { model: MODEL, query: "q", documents: ["a"] }, expect: chatOnly("/v1/rerank") },
  { name: "legacy completions", path: "/v1/completions", body: { model: MODEL, prompt: "hi" }, expect: chatOnly("/v1/completions") },
  { name: "responses", path: "/v1/responses", body: { model: MODEL, input: "hi" }, expect: chatOnly("/v1/responses") },
  { name: "responses, streaming", path: "/v1/responses", body: { model: MODEL, input: "hi", stream: true }, expect: chatOnly("/v1/responses") },
  { name: "moderations", path: "/v1/moderations", body: { model: MODEL, input: "hi" }, expect: chatOnly("/v1/moderations") },
  { name: "transcription (a form)", path: "/v1/audio/transcriptions", body: form({ model: MODEL, file: new Blob(["RIFF"]) }), expect: chatOnly("/v1/audio/transcriptions") },
  { name: "image edit (a form)", path: "/v1/images/edits", body: form({ model: MODEL, prompt: "x", image: new Blob(["png"]) }), expect: chatOnly("/v1/images/edits") },
  { name: "a form without its boundary", path: "/v1/audio/transcriptions", body: "garbage", headers: { "content-type": "multipart/form-data" }, expect: bad(/request body is not a valid form/, "invalid_body") },
  { name: "without /v1", path: "/embeddings", body: { model: MODEL, input: "hi" }, expect: chatOnly("/embeddings") },

  // --- Size ---
  { name: "body over the limit", body: userSays("x".repeat(MAX_BODY_BYTES)), expect: { status: 413, code: "request_too_large", message: new RegExp(`larger than ${MAX_BODY_BYTES} bytes`) } },
  { name: "a body under the limit", body: userSays("word ".repeat(MAX_BODY_BYTES / 10)), expect: answers },

  // --- Still fine ---
  { name: "a plain request", body: chat(), expect: answers },
  { name: "UTF-8 byte order mark before the JSON", body: `\uFEFF${JSON.stringify(chat())}`, expect: answers },
  { name: "a plain stream", body: chat({ stream: true }), expect: streams },
  { name: "text and image parts", body: userSays([{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }]), expect: answers },
];

const TRACEBACK = /Traceback|File "\/|\.py\b|site-packages/;
/** A client fault is one warning line in the proxy's log: never an error or a traceback. */
const LOGGED_AS_ERROR = /Traceback|:ERROR:/;

async function send(c: Case): Promise<Response> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    authorization: `Bearer ${fx.stack.masterKey}`,
  };
  for (const [name, value] of Object.entries(c.headers ?? {})) {
    if (value === "") delete headers[name];
    else headers[name] = value;
  }
  if (c.body instanceof FormData) delete headers["content-type"]; // fetch sets it, with the boundary
  const body =
    typeof c.body === "string" || Buffer.isBuffer(c.body) || c.body instanceof FormData
      ? c.body
      : JSON.stringify(c.body);
  return fetch(`${fx.stack.proxyUrl}${c.path ?? "/v1/chat/completions"}`, {
    method: "POST",
    headers,
    body,
  });
}

describe("hostile input through the proxy", () => {
  it.each(cases)("$name", async (c) => {
    if ("answer" in c.expect) fx.gemini.enqueue({ parts: ["fine"] });
    const response = await send(c);
    const text = await response.text();
    expect(text).not.toMatch(TRACEBACK);
    // The proxy keeps its last 200 lines: this also sees what the rows before this one logged.
    expect(
      fx.stack.proxy
        .output()
        .split("\n")
        .filter((l) => LOGGED_AS_ERROR.test(l)),
    ).toEqual([]);
    if ("answer" in c.expect) {
      expect(response.status, text).toBe(200);
      if (c.expect.answer === "sse") expect(text).toMatch(/data: \[DONE\]\s*$/);
      else expect(JSON.parse(text).choices[0].message.content).toBe("fine");
      return;
    }
    expect(response.status, text).toBe(c.expect.status);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    const error = JSON.parse(text).error;
    expect(error.message).toMatch(c.expect.message);
    if (c.expect.code !== undefined) {
      expect(error).toEqual({
        message: expect.any(String),
        type: c.expect.status === 401 ? "authentication_error" : "invalid_request_error",
        code: c.expect.code,
        param: c.expect.param ?? null,
      });
    }
  });

  it("still answers normally after the table", async () => {
    fx.gemini.enqueue({ parts: ["still ", "here"] });
    const reply = await fx.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Are you there?" }],
    });
    expect(reply.choices[0]?.message.content).toBe("still here");
  });

  it("keeps the direct Gemini model working for valid input", async () => {
    directGemini.enqueue({ parts: ["direct ", "answer"] });
    const reply = await fx.client.chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "Hi Gemini" }],
    });
    expect(reply.choices[0]?.message.content).toBe("direct answer");
  });
});

describe("a non-stream client that goes away", () => {
  it("stops the run: the model request is aborted and the chat's next request is answered", async () => {
    const headers = {
      "content-type": "application/json",
      authorization: `Bearer ${fx.stack.masterKey}`,
      "X-OpenWebUI-User-Id": "leaver",
      "X-OpenWebUI-Chat-Id": "chat-left-behind",
    };
    fx.gemini.enqueue({ hang: true }, { parts: ["second ", "answer"] });
    const leaving = new AbortController();
    const first = fetch(`${fx.stack.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers,
      body: JSON.stringify(chat({ messages: [{ role: "user", content: "a long one" }] })),
      signal: leaving.signal,
    }).catch((error: unknown) => error);
    await fx.gemini.waitForRequest(undefined, { timeoutMs: 20_000 });
    leaving.abort();
    expect(await first).toBeInstanceOf(Error);
    // The model request the runtime made for the first run is aborted...
    await fx.gemini.waitForAbort(0, { timeoutMs: 20_000 });
    // ...so the same chat's next request gets its turn at once instead of a 409 after the wait.
    const second = await fetch(`${fx.stack.proxyUrl}/v1/chat/completions`, {
      method: "POST",
      headers,
      body: JSON.stringify(chat({ messages: [{ role: "user", content: "again" }] })),
    });
    const text = await second.text();
    expect(second.status, text).toBe(200);
    expect(JSON.parse(text).choices[0].message.content).toBe("second answer");
  });
});

describe("idle and half-sent connections", () => {
  const IDLE = 300;
  const HALF_HEADERS = 25;
  const HALF_BODIES = 25;

  function connect(): Promise<net.Socket> {
    const { hostname, port } = new URL(fx.stack.proxyUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port) }, () => resolve(socket));
      socket.once("error", reject);
    });
  }
  /** Resolves with the bytes received once the server has closed the socket. */
  function closedByServer(socket: net.Socket): Promise<string> {
    return new Promise((resolve) => {
      let received = "";
      socket.on("data", (data) => {
        received += data.toString();
      });
      socket.on("error", () => resolve(received));
      socket.on("close", () => resolve(received));
    });
  }

  it("are closed after their timeout while everyone else is served", async () => {
    const idle = await Promise.all(Array.from({ length: IDLE }, connect));
    const halfHeaders = await Promise.all(Array.from({ length: HALF_HEADERS }, connect));
    const halfBodies = await Promise.all(Array.from({ length: HALF_BODIES }, connect));
    const all = [...idle, ...halfHeaders, ...halfBodies];
    const closed = all.map(closedByServer);
    for (const socket of halfHeaders) {
      socket.write("POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bea");
    }
    const head = [
      "POST /v1/chat/completions HTTP/1.1",
      "Host: proxy",
      `Authorization: Bearer ${fx.stack.masterKey}`,
      "Content-Type: application/json",
      "Content-Length: 1000",
    ].join("\r\n");
    for (const socket of halfBodies) socket.write(`${head}\r\n\r\n{"model": "agno/demo-`);

    fx.gemini.enqueue({ parts: ["served"] });
    const reply = await fx.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Anyone home?" }],
    });
    expect(reply.choices[0]?.message.content).toBe("served");

    const received = await Promise.all(closed);
    // A half-sent body gets a 408 naming the limit before the close; the rest just close.
    for (const text of received.slice(IDLE + HALF_HEADERS)) {
      expect(text).toMatch(/^HTTP\/1\.1 408/);
      expect(text).toContain(`request body not received within ${BODY_TIMEOUT_S} s`);
    }
    for (const text of received.slice(0, IDLE + HALF_HEADERS)) expect(text).toBe("");
    for (const socket of all) socket.destroy();
  }, 60_000);
});

// Last: it stops the runtime (and starts a new one).
describe("the runtime down", () => {
  async function readinessStatus(expected: number): Promise<number> {
    // The proxy reuses a readiness answer for 2 s (AGENTLLM_PROXY_READINESS_CACHE_S).
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await fetch(`${fx.stack.proxyUrl}/health/readiness`);
      await response.arrayBuffer();
      if (response.status === expected) return response.status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return (await fetch(`${fx.stack.proxyUrl}/health/readiness`)).status;
  }

  it("is a 503 without internal addresses, readiness fails, liveness stays up, and it recovers", async () => {
    await fx.stack.runtime.kill();
    const response = await send({ name: "down", body: chat(), expect: answers });
    const text = await response.text();
    expect(response.status, text).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(JSON.parse(text).error.message).toMatch(
      /The agent runtime is unavailable right now; try again shortly\./,
    );
    const runtimePort = new URL(fx.stack.runtimeUrl).port;
    expect(text).not.toContain(runtimePort);
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|ConnectError|All connection attempts/);

    expect(await readinessStatus(503)).toBe(503);
    expect((await fetch(`${fx.stack.proxyUrl}/health/liveliness`)).status).toBe(200);

    await fx.stack.restartRuntime();
    expect(await readinessStatus(200)).toBe(200);
    fx.gemini.enqueue({ parts: ["back"] });
    const reply = await fx.client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Back?" }],
    });
    expect(reply.choices[0]?.message.content).toBe("back");
  }, 120_000);
});
