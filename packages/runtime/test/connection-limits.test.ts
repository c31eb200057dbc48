import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  parseSse,
  RUNTIME_TOKEN,
  type RuntimeHarness,
  startRuntimeHarness,
} from "./runtime-harness.ts";

// The runtime's HTTP server bounds what clients hold: connections that never finish their
// headers or body are answered 408 or closed, idle keep-alive connections are closed, and the
// number of connections and of requests per connection is capped. Short limits here; the
// defaults are in config.ts. Nothing below measures time: each check waits for an outcome.
const HEADERS_TIMEOUT_MS = 300;
const REQUEST_TIMEOUT_MS = 600;
const KEEP_ALIVE_TIMEOUT_MS = 400;
const IDLE_SOCKETS = 300;
const HALF_SENT = 20;
/** Longest wait for an outcome: far above every timeout, so only a hang fails. */
const SETTLE_MS = 20_000;

let h: RuntimeHarness;
let port: number;

beforeAll(async () => {
  h = await startRuntimeHarness({
    env: {
      AGENTLLM_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      AGENTLLM_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      AGENTLLM_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
      AGENTLLM_MAX_REQUESTS_PER_SOCKET: "2",
    },
  });
  port = Number(new URL(h.runtime.url).port);
});

afterAll(async () => {
  await h?.close();
});

interface RawConnection {
  readonly socket: net.Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves when the server closed the connection (or SETTLE_MS passed: `false`). */
  readonly closed: Promise<boolean>;
}

/** A raw TCP connection to the runtime that sends `bytes` (if any) and then nothing more. */
function connect(bytes?: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      data += chunk;
    });
    socket.on("error", () => {});
    const closed = new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), SETTLE_MS);
      socket.once("close", () => {
        clearTimeout(timer);
        done(true);
      });
    });
    socket.once("connect", () => {
      if (bytes) socket.write(bytes);
      resolve({ socket, received: () => data, closed });
    });
    socket.once("error", reject);
  });
}

const headHalf = ["POST /v1/chat/completions HTTP/1.1", "Host: runtime", "Content-Type: app"].join(
  "\r\n",
);
const bodyHalf = [
  "POST /v1/chat/completions HTTP/1.1",
  "Host: runtime",
  `Authorization: Bearer ${RUNTIME_TOKEN}`,
  "Content-Type: application/json",
  "Content-Length: 1000",
  "",
  '{"model": "agno/demo-agent", "messages": [',
].join("\r\n");

/** The server's answer to a half-sent request: a 408, or nothing before it closed. */
function timedOut(received: string): boolean {
  return received === "" || received.startsWith("HTTP/1.1 408");
}

describe("connection limits", () => {
  it("closes half-sent headers and bodies after their timeouts while a normal request is served", async () => {
    const idle = await Promise.all(Array.from({ length: IDLE_SOCKETS }, () => connect()));
    const halfHeaders = await Promise.all(
      Array.from({ length: HALF_SENT }, () => connect(headHalf)),
    );
    const halfBodies = await Promise.all(
      Array.from({ length: HALF_SENT }, () => connect(bodyHalf)),
    );

    // Served meanwhile, on a connection of its own.
    const models = await h.fetch("/v1/models");
    expect(models.status).toBe(200);
    h.gemini.enqueue({ parts: ["still ", "served"] });
    const answer = await h.client.chat.completions.create({
      model: "agno/demo-agent",
      messages: [{ role: "user", content: "Are you there?" }],
    });
    expect(answer.choices[0]?.message.content).toBe("still served");

    for (const connection of [...halfHeaders, ...halfBodies]) {
      expect(await connection.closed, "a half-sent request is still open").toBe(true);
      expect(timedOut(connection.received()), connection.received()).toBe(true);
    }
    // A connection that never sends a byte is held to the header timeout too.
    for (const connection of idle) {
      expect(await connection.closed, "an idle connection is still open").toBe(true);
      expect(timedOut(connection.received()), connection.received()).toBe(true);
    }
    expect(halfBodies.some((c) => c.received().startsWith("HTTP/1.1 408"))).toBe(true);
  }, 60_000);

  it("does not cut a streamed answer that lasts longer than the request timeout", async () => {
    // Six events 250 ms apart: the answer takes well over REQUEST_TIMEOUT_MS.
    const words = ["one ", "two ", "three ", "four ", "five ", "six"];
    h.gemini.enqueue({ parts: words, delayMs: 250 });
    const res = await h.fetch("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "agno/demo-agent",
        stream: true,
        messages: [{ role: "user", content: "Count to six, slowly" }],
      }),
    });
    expect(res.status).toBe(200);
    const { events } = parseSse(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    const text = events
      .map((e) =>
        e === "[DONE]"
          ? ""
          : ((e.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content ??
            ""),
      )
      .join("");
    expect(text).toBe(words.join(""));
    expect(events.some((e) => e !== "[DONE]" && "error" in e)).toBe(false);
  });

  it("closes an idle keep-alive connection and ends a connection after its request limit", async () => {
    const get = [
      "GET /v1/models HTTP/1.1",
      "Host: runtime",
      `Authorization: Bearer ${RUNTIME_TOKEN}`,
      "",
      "",
    ].join("\r\n");
    const kept = await connect(get);
    expect(await kept.closed, "the idle keep-alive connection is still open").toBe(true);
    expect(kept.received().startsWith("HTTP/1.1 200")).toBe(true);
    expect(kept.received().toLowerCase()).toContain("keep-alive");
    // Closed by the keep-alive timeout, not the (shorter) header timeout: no stray 408.
    expect(kept.received()).not.toContain("408");

    // Two requests in one write: the second reaches the limit of 2 and the server says so.
    const limited = await connect(get + get);
    expect(await limited.closed, "the connection outlived its request limit").toBe(true);
    const responses = limited.received().split("HTTP/1.1 ").filter(Boolean);
    expect(responses).toHaveLength(2);
    expect(responses[1]?.startsWith("200")).toBe(true);
    expect(responses[1]?.toLowerCase()).toContain("connection: close");
  });
});

describe("the connection cap", () => {
  let capped: RuntimeHarness;

  beforeAll(async () => {
    capped = await startRuntimeHarness({ env: { AGENTLLM_MAX_CONNECTIONS: "3" } });
  });

  afterAll(async () => {
    await capped?.close();
  });

  it("drops a connection past the cap and accepts one again when a slot is free", async () => {
    const url = new URL(capped.runtime.url);
    const open = () =>
      new Promise<{ socket: net.Socket; closed: Promise<void> }>((resolve) => {
        const socket = net.connect(Number(url.port), url.hostname);
        socket.on("error", () => {});
        const closed = new Promise<void>((done) => socket.once("close", () => done()));
        socket.once("connect", () => resolve({ socket, closed }));
      });
    const held = [await open(), await open(), await open()];
    const beyond = await open();
    await beyond.closed;
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // The server frees a slot when it sees the close, a moment after the client closed.
    const status = await eventually(
      () =>
        capped.fetch("/v1/models").then(
          (res) => res.status,
          () => undefined,
        ),
      "a connection after the held ones closed",
    );
    expect(status).toBe(200);
  });
});
