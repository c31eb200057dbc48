import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  EXPLODE_MESSAGE,
  RUNTIME_TOKEN,
  type RuntimeHarness,
  startRuntimeHarness,
} from "./runtime-harness.ts";

// One request with a tool call, continuing the bridge's trace: the runtime's spans hang under
// the incoming `traceparent`, in the order the work happened, and say nothing a user wrote.

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID = "00f067aa0ba902b7";
const USER = "user-7f3a-tracing@example.com";
const SESSION = "chat-tracing-5521";
const QUESTION = "Please echo the launch code PINEAPPLE-42";
const TOOL_TEXT = "PINEAPPLE-42 echoed secretly";
const ANSWER = "The echo said PINEAPPLE-42, all done.";

// One provider for the file: the global one can be registered once per process.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => {
  provider.register();
});
afterAll(async () => {
  await provider.shutdown();
});

describe("traces: one request with a tool call", () => {
  let harness: RuntimeHarness;

  beforeAll(async () => {
    harness = await startRuntimeHarness();
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it("continues the incoming traceparent: server → lock wait, model, tool, model", async () => {
    exporter.reset();
    harness.gemini.enqueue(
      { parts: [{ functionCall: { name: "echo", args: { text: TOOL_TEXT } } }] },
      { parts: [ANSWER] },
    );
    const response = await harness.fetch("/v1/chat/completions", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`,
        "x-agentllm-user-id": USER,
        "x-agentllm-session-id": SESSION,
      },
      body: JSON.stringify({
        model: "agno/test-agent",
        stream: true,
        messages: [{ role: "user", content: QUESTION }],
      }),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("[DONE]");

    // The server span ends when the response closes, just after the client has read it.
    const server = await vi.waitFor(() => {
      const found = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
      if (!found) throw new Error("no server span yet");
      return found;
    });
    const spans = exporter.getFinishedSpans();
    for (const span of spans) expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(server.name).toBe("POST /v1/chat/completions");
    expect(server.attributes["http.response.status_code"]).toBe(200);

    // In the order they ended (the exporter gets each span as it ends), not by timestamps,
    // which can tie within a clock tick: the lock is taken, the model asks, the tool runs, the
    // model answers.
    const children = spans.filter(
      (span) => span.parentSpanContext?.spanId === server.spanContext().spanId,
    );
    expect(children.map((span) => span.name)).toEqual([
      "session lock wait",
      expect.stringMatching(/^chat gemini-/),
      "tool echo",
      expect.stringMatching(/^chat gemini-/),
    ]);
    const [lock, firstCall, tool, secondCall] = children as [
      ReadableSpan,
      ReadableSpan,
      ReadableSpan,
      ReadableSpan,
    ];
    expect(lock.attributes["agentllm.lock.outcome"]).toBe("acquired");
    expect(firstCall.kind).toBe(SpanKind.CLIENT);
    expect(firstCall.attributes["gen_ai.request.model"]).toMatch(/^gemini-/);
    expect(firstCall.attributes["gen_ai.response.finish_reasons"]).toEqual(["stop"]);
    expect(firstCall.attributes["agentllm.tool_calls"]).toBe(1);
    expect(typeof firstCall.attributes["gen_ai.usage.input_tokens"]).toBe("number");
    expect(typeof firstCall.attributes["gen_ai.usage.output_tokens"]).toBe("number");
    expect(tool.attributes).toMatchObject({
      "agentllm.tool.name": "echo",
      "agentllm.toolkit": "testing",
      "agentllm.tool.outcome": "ok",
    });
    expect(secondCall.attributes["agentllm.tool_calls"]).toBe(0);
    // The tool ran between the two model calls: the second call was made with its result.
    expect(secondCall.attributes["agentllm.step"]).toBe(
      Number(firstCall.attributes["agentllm.step"]) + 1,
    );

    // Nothing the user wrote, the tool saw or the model said; no ids or secrets.
    const recorded = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events]));
    for (const forbidden of [
      "PINEAPPLE",
      USER,
      SESSION,
      RUNTIME_TOKEN,
      "launch code",
      "all done",
    ]) {
      expect(recorded).not.toContain(forbidden);
    }
  });

  it.each([
    ["no traceparent", undefined],
    ["a malformed traceparent", `00-${"0".repeat(32)}-${PARENT_SPAN_ID}-01`],
    ["an oversized traceparent", `00-${TRACE_ID}-${PARENT_SPAN_ID}-01${"a".repeat(8_000)}`],
  ])("starts a new trace on %s", async (_name, traceparent) => {
    exporter.reset();
    const response = await harness.fetch("/v1/models", {
      headers: traceparent ? { traceparent } : {},
    });
    expect(response.status).toBe(200);
    await response.text();
    const server = await vi.waitFor(() => {
      const found = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
      if (!found) throw new Error("no server span yet");
      return found;
    });
    expect(server.name).toBe("GET /v1/models");
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.spanContext().traceId).not.toBe(TRACE_ID);
  });
});

describe("traces: tool failures and a busy session", () => {
  let harness: RuntimeHarness;

  beforeAll(async () => {
    harness = await startRuntimeHarness({ env: { AGENTLLM_SESSION_WAIT_MS: "0" } });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  const post = (body: object, session?: string) =>
    harness.fetch("/v1/chat/completions", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(session ? { "x-agentllm-user-id": "u1", "x-agentllm-session-id": session } : {}),
      },
      body: JSON.stringify({ model: "agno/test-agent", ...body }),
    });

  it("records each tool's outcome (error, timeout, unknown), never the error's message", async () => {
    exporter.reset();
    harness.gemini.enqueue(
      {
        parts: [
          { functionCall: { name: "explode", args: {} } },
          { functionCall: { name: "slow_tool", args: {} } },
          { functionCall: { name: "made_up_tool", args: {} } },
        ],
      },
      { parts: ["Sorry."] },
    );
    const response = await post({ messages: [{ role: "user", content: "go" }] });
    expect(response.status).toBe(200);
    await response.text();
    await vi.waitFor(() => {
      if (!exporter.getFinishedSpans().some((span) => span.kind === SpanKind.SERVER)) {
        throw new Error("no server span yet");
      }
    });
    const tools = exporter.getFinishedSpans().filter((span) => span.name.startsWith("tool "));
    const outcomes = Object.fromEntries(
      tools.map((span) => [span.name, span.attributes["agentllm.tool.outcome"]]),
    );
    expect(outcomes).toEqual({
      "tool explode": "error",
      "tool slow_tool": "timeout",
      "tool unknown": "unknown_tool",
    });
    const recorded = JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes));
    expect(recorded).not.toContain(EXPLODE_MESSAGE);
    expect(recorded).not.toContain("made_up_tool");
  });

  it("marks the lock wait busy and the request 409", async () => {
    exporter.reset();
    harness.gemini.enqueue({ parts: ["one ", "two ", "three"], delayMs: 300 });
    const first = post({ stream: true, messages: [{ role: "user", content: "hi" }] }, "s-busy");
    await harness.gemini.waitForRequest();
    const second = await post({ messages: [{ role: "user", content: "hi" }] }, "s-busy");
    expect(second.status).toBe(409);
    await second.text();
    await (await first).text();
    const busy = await vi.waitFor(() => {
      const found = exporter
        .getFinishedSpans()
        .find((span) => span.attributes["agentllm.lock.outcome"] === "busy");
      if (!found) throw new Error("no busy lock span yet");
      return found;
    });
    expect(busy.name).toBe("session lock wait");
    expect(busy.status.code).toBe(SpanStatusCode.ERROR);
    expect(busy.attributes["error.type"]).toBe("SessionBusyError");
    const server = await vi.waitFor(() => {
      const found = exporter
        .getFinishedSpans()
        .find((span) => span.spanContext().spanId === busy.parentSpanContext?.spanId);
      if (!found) throw new Error("no server span yet");
      return found;
    });
    expect(server.attributes["http.response.status_code"]).toBe(409);
  });
});
