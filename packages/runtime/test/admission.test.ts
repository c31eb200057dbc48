import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  eventually,
  RUNTIME_TOKEN,
  type RuntimeHarness,
  startRuntimeHarness,
} from "./runtime-harness.ts";

// Admission control, in process: the run limit and the in-flight byte budget at their limits,
// what is refused (503 overloaded + Retry-After, before the body is read) and what never is.
const MAX_RUNS = 2;
const MAX_INFLIGHT = 64 * 1024;
// As large as the budget, so one body of the whole budget passes admission only when it is free.
const MAX_BODY = MAX_INFLIGHT;

let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({
    env: {
      AGENTLLM_MAX_CONCURRENT_RUNS: String(MAX_RUNS),
      AGENTLLM_MAX_INFLIGHT_BYTES: String(MAX_INFLIGHT),
      AGENTLLM_MAX_BODY_BYTES: String(MAX_BODY),
    },
  });
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await untilIdle();
  h.gemini.reset();
});

/**
 * Waits until the runs of the previous test gave their bytes back (aborted clients are released
 * when the runtime sees their sockets close): a body of the whole budget passes admission then,
 * and only the JSON parser refuses it (400 rather than 503).
 */
async function untilIdle(): Promise<void> {
  await eventually(async () => {
    const res = await postChat("x".repeat(MAX_INFLIGHT));
    await res.body?.cancel();
    return res.status === 400 ? true : undefined;
  }, "the in-flight budget to be free");
}

type ErrorJson = { error: { message: string; type: string; code: string; param: string | null } };

/** A chat body of about `bytes` bytes (stateless: no identity headers). */
function chatBody(bytes = 0, text = "hello"): string {
  const body = { model: "agno/demo-agent", messages: [{ role: "user", content: text }], pad: "" };
  const base = JSON.stringify(body).length;
  return JSON.stringify({ ...body, pad: "p".repeat(Math.max(0, bytes - base)) });
}

function postChat(body: string, signal?: AbortSignal): Promise<Response> {
  return h.fetch("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    ...(signal ? { signal } : {}),
  });
}

/** Starts `count` runs whose model call hangs, and waits until each one reached the model. */
async function holdRuns(count: number, bytes = 0): Promise<AbortController> {
  const controller = new AbortController();
  const before = h.gemini.requests.length;
  for (let i = 0; i < count; i += 1) {
    h.gemini.enqueue({ hang: true });
    void postChat(chatBody(bytes), controller.signal).catch(() => {});
  }
  await eventually(
    () => (h.gemini.requests.length >= before + count ? true : undefined),
    `${count} held runs at the model`,
  );
  return controller;
}

async function expectOverloaded(res: Response): Promise<ErrorJson> {
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("1");
  const json = (await res.json()) as ErrorJson;
  expect(json.error).toMatchObject({ type: "server_error", code: "overloaded", param: null });
  return json;
}

/** Sends raw bytes on a fresh connection and resolves with what the server answered first. */
function rawExchange(head: string, runtimeUrl = h.runtime.url): Promise<string> {
  const url = new URL(runtimeUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(head));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (data: string) => {
      received += data;
      if (received.includes("\r\n\r\n") && received.includes("}")) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received));
  });
}

describe("admission control", () => {
  it("runs the limit of chat completions at once and refuses the next with 503 and Retry-After", async () => {
    const held = await holdRuns(MAX_RUNS);
    try {
      const json = await expectOverloaded(await postChat(chatBody()));
      expect(json.error.message).toContain(`${MAX_RUNS} chat completions`);
      // Probes and the model list are never limited.
      expect((await h.fetch("/healthz")).status).toBe(200);
      expect((await h.fetch("/readyz")).status).toBe(200);
      expect((await h.fetch("/v1/models")).status).toBe(200);
    } finally {
      held.abort();
    }
    // The runs' slots come back when their clients leave.
    const res = await eventually(async () => {
      const attempt = await postChat(chatBody());
      if (attempt.status === 503) {
        await attempt.body?.cancel();
        return undefined;
      }
      return attempt;
    }, "a free run slot after the held runs were aborted");
    expect(res.status).toBe(200);
  });

  it("admits a body that fits the in-flight budget exactly and refuses the next one before reading it", async () => {
    // One held run of 40 KiB leaves 24 KiB of the 64 KiB budget.
    const held = await holdRuns(1, 40 * 1024);
    try {
      const left = MAX_INFLIGHT - 40 * 1024;
      const fits = await postChat(chatBody(left));
      expect(fits.status).toBe(200);
      // One byte more, declared: the answer comes while the body is still unsent.
      const answer = await rawExchange(
        [
          "POST /v1/chat/completions HTTP/1.1",
          "Host: runtime",
          `Authorization: Bearer ${RUNTIME_TOKEN}`,
          "Content-Type: application/json",
          `Content-Length: ${left + 1}`,
          "",
          "",
        ].join("\r\n"),
      );
      expect(answer.startsWith("HTTP/1.1 503")).toBe(true);
      expect(answer.toLowerCase()).toContain("retry-after: 1");
      expect(answer).toContain('"code":"overloaded"');
      expect(answer).toContain("bytes of requests in flight");
      // A body over the body limit is a 413 whatever the load: retrying would not help. (The
      // body parser reads and drops such a body before it answers, so this one is sent.)
      const tooLarge = await rawExchange(
        [
          "POST /v1/chat/completions HTTP/1.1",
          "Host: runtime",
          `Authorization: Bearer ${RUNTIME_TOKEN}`,
          `Content-Length: ${MAX_BODY + 1}`,
          "",
          "x".repeat(MAX_BODY + 1),
        ].join("\r\n"),
      );
      expect(tooLarge.startsWith("HTTP/1.1 413")).toBe(true);
      expect(tooLarge).toContain('"code":"request_too_large"');
    } finally {
      held.abort();
    }
  });

  it("counts a chunked body once read and refuses it with 503 when it does not fit", async () => {
    const held = await holdRuns(1, 40 * 1024);
    try {
      const body = chatBody(30 * 1024);
      const res = await h.fetch("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        // A stream has no length: fetch sends it chunked.
        body: new Blob([body]).stream(),
        duplex: "half",
      } as RequestInit);
      const json = await expectOverloaded(res);
      expect(json.error.message).toContain("to read this one");
    } finally {
      held.abort();
    }
    const ok = await eventually(async () => {
      const attempt = await h.fetch("/v1/chat/completions", {
        method: "POST",
        body: new Blob([chatBody(30 * 1024)]).stream(),
        duplex: "half",
      } as RequestInit);
      if (attempt.status === 503) {
        await attempt.body?.cancel();
        return undefined;
      }
      return attempt;
    }, "room for the chunked body after the held run ended");
    expect(ok.status).toBe(200);
  });

  it("gives every slot and byte back once the work is done", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () => postChat(chatBody(8 * 1024)).then((r) => r.status)),
    );
    // Each got an answer or a clean refusal; none hang.
    for (const status of results) expect([200, 503]).toContain(status);
    for (let i = 0; i < MAX_RUNS; i += 1) {
      expect((await postChat(chatBody(MAX_BODY - 1024))).status).toBe(200);
    }
  });
});

describe("an in-flight budget smaller than the body limit", () => {
  let small: RuntimeHarness;

  beforeAll(async () => {
    small = await startRuntimeHarness({
      env: { AGENTLLM_MAX_INFLIGHT_BYTES: "16384", AGENTLLM_MAX_BODY_BYTES: "49152" },
    });
  });

  afterAll(async () => {
    await small?.close();
  });

  it("answers 413 at once for a declared body that could never fit it", async () => {
    const answer = await rawExchange(
      [
        "POST /v1/chat/completions HTTP/1.1",
        "Host: runtime",
        `Authorization: Bearer ${RUNTIME_TOKEN}`,
        "Content-Length: 16385",
        "",
        "",
      ].join("\r\n"),
      small.runtime.url,
    );
    expect(answer.startsWith("HTTP/1.1 413")).toBe(true);
    expect(answer).toContain('"code":"request_too_large"');
    expect(answer).toContain("AGENTLLM_MAX_INFLIGHT_BYTES");
  });
});
