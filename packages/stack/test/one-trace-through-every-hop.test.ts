import {
  type CollectedSpan,
  type FakeJira,
  type FakeOtlpCollector,
  OtlpSpanKind,
  seedUsers,
  startFakeJira,
  startFakeOtlpCollector,
} from "@agentllm/testkit";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { JIRA_AGENT_DIRS, JIRA_MODEL } from "./jira-stack-fixture.ts";
import { joinedContent } from "./proxy-client.ts";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// One tool-using request through the real LiteLLM proxy (its own `otel` callback, turned on by
// OTEL_EXPORTER_OTLP_ENDPOINT), the bridge and the runtime (a child process with the same
// variables), both exporting OTLP/HTTP protobuf to a fake collector: one trace, every hop
// parented on the one before down to the tool's request to Jira, and nothing of the user's, no
// token or key, in any attribute.

// A made-up Data Center personal access token, pasted into the chat to connect the user.
const TOKEN = Buffer.concat([
  Buffer.from("730118475562:"),
  Buffer.from("0ddba11c0ffee5eedd00dfa11ba5e5ca7f00d1e5", "hex"),
]).toString("base64");
const USER = "traced-user-5521";
const CHAT = "traced-chat-9034";
const HEADERS = { "X-OpenWebUI-User-Id": USER, "X-OpenWebUI-Chat-Id": CHAT };
const QUESTION = "What is DEMO-1 about? My secret word is MARMALADE.";
const ANSWER = "It is about the PERSIMMON rollout.";
const PROXY_SPAN = "Received Proxy Server Request";

describe("one trace through every hop", () => {
  let collector: FakeOtlpCollector;
  let jira: FakeJira;
  let fx: StackFixture;

  beforeAll(async () => {
    collector = await startFakeOtlpCollector();
    const user = { ...(seedUsers[0] as (typeof seedUsers)[number]), token: TOKEN };
    jira = await startFakeJira({ flavour: "server", users: [user] });
    fx = await startStackFixture({
      agents: { dirs: JIRA_AGENT_DIRS, models: [JIRA_MODEL] },
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        // Both SDKs export a batch this soon after a span ends (default 5 s).
        OTEL_BSP_SCHEDULE_DELAY: "200",
      },
    });
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
    await jira?.close();
    await collector?.close();
  });

  async function ask(messages: OpenAI.ChatCompletionMessageParam[]): Promise<string> {
    const stream = await fx.client.chat.completions.create(
      { model: JIRA_MODEL, messages, stream: true },
      { headers: HEADERS },
    );
    return joinedContent(stream);
  }

  it("proxy → runtime server → lock wait, model, tool (→ Jira), model; nothing private recorded", async () => {
    const pasted = `My Jira is ${jira.url} and my token is ${TOKEN}`;
    const stored = await ask([{ role: "user", content: pasted }]);
    expect(stored).toContain("stored it encrypted");

    fx.gemini.enqueue(
      { parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }] },
      { parts: [ANSWER] },
    );
    const before = new Set(collector.spans().map((span) => span.traceId));
    const answer = await ask([
      { role: "user", content: pasted },
      { role: "assistant", content: stored },
      { role: "user", content: QUESTION },
    ]);
    expect(answer).toContain(ANSWER);
    expect(jira.requests.some((request) => request.path.endsWith("/issue/DEMO-1"))).toBe(true);

    // The tool-using request's trace: the one with a tool span that the paste's had not.
    const trace = await vi.waitFor(
      () => {
        const tool = collector
          .spans()
          .find((span) => span.name === "tool get_issue" && !before.has(span.traceId));
        if (!tool) throw new Error("no tool span yet");
        const spans = collector.spans().filter((span) => span.traceId === tool.traceId);
        if (
          !spans.some((span) => span.name === PROXY_SPAN && span.serviceName === "agentllm-proxy")
        )
          throw new Error("no proxy span yet");
        if (spans.filter((span) => span.name.startsWith("chat ")).length < 2)
          throw new Error("not every model call yet");
        // FastAPI's server span ends after the response, so it may come in a later export.
        if (!spans.some((span) => span.parentSpanId === undefined))
          throw new Error("no root span yet");
        return spans;
      },
      { timeout: 30_000, interval: 100 },
    );

    // FastAPI's server span (the proxy's HTTP entry), then LiteLLM's request span under it,
    // holding LiteLLM's own steps and the runtime's server span.
    const entry = only(trace, (span) => span.parentSpanId === undefined);
    expect(entry).toMatchObject({
      name: "POST /v1/chat/completions",
      serviceName: "agentllm-proxy",
      kind: OtlpSpanKind.SERVER,
      attributes: { "http.route": "/v1/chat/completions", "http.response.status_code": 200 },
    });
    const proxy = only(trace, (span) => span.name === PROXY_SPAN);
    // (through FastAPI's operation span for the endpoint)
    expect(ancestorsOf(proxy, trace).map((span) => span.spanId)).toContain(entry.spanId);
    const litellmSteps = trace.filter((span) => span.parentSpanId === proxy.spanId);
    expect(litellmSteps.map((span) => span.name)).toEqual(
      expect.arrayContaining(["auth", "router", "litellm_request"]),
    );
    const call = only(litellmSteps, (span) => span.name === "litellm_request");
    expect(call.attributes).toMatchObject({
      "gen_ai.system": "agno",
      "gen_ai.response.model": JIRA_MODEL,
    });

    const server = only(
      trace,
      (span) => span.serviceName === "agentllm-runtime" && span.kind === OtlpSpanKind.SERVER,
    );
    expect(server.parentSpanId).toBe(proxy.spanId);
    const children = trace.filter((span) => span.parentSpanId === server.spanId);
    expect(new Set(children.map((span) => span.name))).toEqual(
      new Set(["session lock wait", `chat ${modelOf(children)}`, "tool get_issue"]),
    );
    expect(children.filter((span) => span.name.startsWith("chat "))).toHaveLength(2);
    const tool = only(children, (span) => span.name === "tool get_issue");
    expect(tool.attributes["agentllm.tool.outcome"]).toBe("ok");
    // The tool's request to Jira: method, host, route without the issue key, status.
    const jiraCall = only(trace, (span) => span.parentSpanId === tool.spanId);
    expect(jiraCall).toMatchObject({
      name: "GET /rest/api/2/issue/{id}",
      kind: OtlpSpanKind.CLIENT,
      attributes: {
        "http.request.method": "GET",
        "server.address": new URL(jira.url).hostname,
        "server.port": Number(new URL(jira.url).port),
        "url.template": "/rest/api/2/issue/{id}",
        "http.response.status_code": 200,
      },
    });

    // The launcher polled /health/liveliness until the proxy answered: probes start no trace.
    const probes = collector
      .spans()
      .filter((span) => String(span.attributes["http.route"] ?? "").startsWith("/health"));
    expect(probes).toEqual([]);

    const recorded = JSON.stringify(
      collector.spans().map((span) => [span.name, span.attributes, span.events, span.status]),
    );
    for (const secret of [
      "MARMALADE",
      "PERSIMMON",
      TOKEN,
      fx.stack.masterKey,
      fx.stack.runtimeToken,
      USER,
      CHAT,
    ]) {
      expect(recorded).not.toContain(secret);
    }
  });
});

function only(
  spans: readonly CollectedSpan[],
  test: (span: CollectedSpan) => boolean,
): CollectedSpan {
  const found = spans.filter(test);
  expect(found).toHaveLength(1);
  return found[0] as CollectedSpan;
}

function ancestorsOf(span: CollectedSpan, trace: readonly CollectedSpan[]): CollectedSpan[] {
  const chain: CollectedSpan[] = [];
  let parent = trace.find((other) => other.spanId === span.parentSpanId);
  while (parent && chain.length < trace.length) {
    chain.push(parent);
    const id = parent.parentSpanId;
    parent = trace.find((other) => other.spanId === id);
  }
  return chain;
}

function modelOf(spans: readonly CollectedSpan[]): string {
  return spans.find((span) => span.name.startsWith("chat "))?.name.slice("chat ".length) ?? "";
}
