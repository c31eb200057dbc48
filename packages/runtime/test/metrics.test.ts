import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  RUNTIME_TOKEN,
  type RuntimeHarness,
  startRuntimeHarness,
} from "./runtime-harness.ts";

// GET /metrics after real requests against the fake Gemini: the series and their values, and
// nothing of a user in them. One runtime for the file; the tests run in order and add up.
const USER = "user-4c1d2e-secret";
const SESSION = "session-9f8e7d-secret";
const TEXT = "my private question about zebras";

let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({
    env: {
      AGENTLLM_SESSION_WAIT_MS: "0",
      AGENTLLM_MAX_CONCURRENT_RUNS: "2",
      AGENTLLM_MODEL_RETRIES: "1",
    },
  });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

function chat(
  body: Record<string, unknown>,
  session: string | undefined,
  signal?: AbortSignal,
): Promise<Response> {
  return h.fetch("/v1/chat/completions", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-agentllm-user-id": USER,
      ...(session ? { "x-agentllm-session-id": session } : {}),
    },
    body: JSON.stringify({ model: "agno/test-agent", ...body }),
    ...(signal ? { signal } : {}),
  });
}

const ask = { messages: [{ role: "user", content: TEXT }] };

async function scrape(): Promise<string> {
  const res = await h.fetch("/metrics", { token: null });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample, by its exact series text (`name{labels}`); undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const modelCalls = () => h.gemini.requests.filter((r) => r.method === "streamGenerateContent");

describe("GET /metrics", () => {
  it("is served without the runtime token, and never on the public listener", async () => {
    const text = await scrape();
    // Default process metrics come along.
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    expect(sample(text, "agentllm_active_runs")).toBeUndefined();
    const publicRes = await fetch(`${h.runtime.publicUrl}/metrics`);
    expect(publicRes.status).toBe(404);
    await publicRes.body?.cancel();
  });

  it("counts a streamed answer with tool calls: request, TTFT, duration, tools, tool errors", async () => {
    h.gemini.reset();
    h.gemini.enqueue(
      {
        parts: [
          { functionCall: { name: "echo", args: { text: "hi" } } },
          { functionCall: { name: "explode", args: {} } },
        ],
      },
      { parts: ["Done ", "here."] },
    );
    const res = await chat({ ...ask, stream: true }, SESSION);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("[DONE]");
    // The run ends after the stream (the turn is stored): wait for its duration sample.
    const text = await eventually(async () => {
      const t = await scrape();
      return sample(t, 'agentllm_run_duration_seconds_count{agent="test-agent",outcome="ok"}') === 1
        ? t
        : undefined;
    }, "the run's duration");
    expect(sample(text, 'agentllm_requests_total{agent="test-agent",status="200"}')).toBe(1);
    expect(sample(text, 'agentllm_time_to_first_token_seconds_count{agent="test-agent"}')).toBe(1);
    expect(
      sample(text, 'agentllm_time_to_first_token_seconds_bucket{le="120",agent="test-agent"}'),
    ).toBe(1);
    expect(sample(text, 'agentllm_tool_calls_total{tool="echo"}')).toBe(1);
    expect(sample(text, 'agentllm_tool_calls_total{tool="explode"}')).toBe(1);
    expect(sample(text, 'agentllm_tool_errors_total{tool="explode"}')).toBe(1);
    expect(sample(text, 'agentllm_tool_errors_total{tool="echo"}')).toBeUndefined();
    expect(sample(text, 'agentllm_active_runs{agent="test-agent"}')).toBe(0);
    expect(sample(text, "agentllm_session_lock_wait_seconds_count")).toBe(1);
  });

  it("labels a tool the agent does not have, and a model that is no agent, as unknown", async () => {
    h.gemini.reset();
    h.gemini.enqueue(
      { parts: [{ functionCall: { name: "made_up_tool_name", args: {} } }] },
      { parts: ["Sorry."] },
    );
    expect((await chat(ask, undefined)).status).toBe(200);
    const missing = await h.fetch("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "agno/no-such-agent-zebra", ...ask }),
    });
    expect(missing.status).toBe(404);
    await missing.body?.cancel();
    const text = await scrape();
    expect(sample(text, 'agentllm_tool_calls_total{tool="unknown"}')).toBe(1);
    expect(sample(text, 'agentllm_tool_errors_total{tool="unknown"}')).toBe(1);
    expect(sample(text, 'agentllm_requests_total{agent="unknown",status="404"}')).toBe(1);
    expect(text).not.toContain("made_up_tool_name");
    expect(text).not.toContain("no-such-agent-zebra");
  });

  it("counts a model retry by the status that caused it", async () => {
    h.gemini.reset();
    h.gemini.enqueue({ error: { status: 503 } }, { parts: ["Recovered."] });
    expect((await chat(ask, undefined)).status).toBe(200);
    const text = await scrape();
    expect(sample(text, 'agentllm_model_retries_total{status="503"}')).toBe(1);
  });

  it("counts a 409 (session busy), an admission rejection and the runs in progress", async () => {
    h.gemini.reset();
    h.gemini.enqueue({ hang: true }, { hang: true });
    const stop = new AbortController();
    const holding = chat(ask, SESSION, stop.signal).catch(() => undefined);
    await eventually(() => (modelCalls().length === 1 ? true : undefined), "the first run");

    const busy = await chat(ask, SESSION);
    expect(busy.status).toBe(409);
    await busy.body?.cancel();

    // The second run slot, stateless (no lock), then one over the limit of 2.
    const second = chat(ask, undefined, stop.signal).catch(() => undefined);
    await eventually(() => (modelCalls().length === 2 ? true : undefined), "the second run");
    const refused = await chat(ask, undefined);
    expect(refused.status).toBe(503);
    await refused.body?.cancel();

    let text = await scrape();
    expect(sample(text, 'agentllm_active_runs{agent="test-agent"}')).toBe(2);
    expect(sample(text, "agentllm_session_busy_total")).toBe(1);
    expect(sample(text, 'agentllm_requests_total{agent="test-agent",status="409"}')).toBe(1);
    expect(sample(text, 'agentllm_admission_rejections_total{reason="runs"}')).toBe(1);
    // Refused before its body was read: no agent to name.
    expect(sample(text, 'agentllm_requests_total{agent="unknown",status="503"}')).toBe(1);

    stop.abort();
    await Promise.all([holding, second]);
    text = await eventually(async () => {
      const t = await scrape();
      return sample(t, 'agentllm_active_runs{agent="test-agent"}') === 0 ? t : undefined;
    }, "the runs to end");
    expect(sample(text, 'agentllm_requests_total{agent="test-agent",status="disconnected"}')).toBe(
      2,
    );
    expect(
      sample(text, 'agentllm_run_duration_seconds_count{agent="test-agent",outcome="aborted"}'),
    ).toBe(2);
  });

  it("never shows a user id, a session id or any text", async () => {
    const text = await scrape();
    for (const secret of [USER, SESSION, TEXT, "zebras", RUNTIME_TOKEN, "Done here"]) {
      expect(text).not.toContain(secret);
    }
  });
});
