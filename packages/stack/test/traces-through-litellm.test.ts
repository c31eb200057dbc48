import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger, loadConfig, type RunningRuntime, startRuntime } from "@agentllm/runtime";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ChildService } from "../src/child-service.ts";
import { paths } from "../src/repo-paths.ts";
import { randomFernetKey } from "../src/start-stack.ts";
import { startProxyClient } from "./proxy-client.ts";

// A client's trace continues through the real LiteLLM proxy and the bridge into the runtime
// (in this process, so the test holds its spans): the runtime's server span is the child of the
// client's span, and the model and tool calls hang under it in order.

const RUNTIME_TOKEN = "traces-runtime-token-0123";
const MASTER_KEY = "sk-traces-test";
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const CLIENT_SPAN = "b7ad6b7169203331";
const USER = "traced-user-4411";
const CHAT = "traced-chat-8123";
const QUESTION = "Make me an analogous palette, my secret word is MARMALADE";

describe("a trace through the real LiteLLM proxy", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let gemini: FakeGemini;
  let runtime: RunningRuntime;
  let proxy: ChildService;
  let client: OpenAI;
  let workDir: string;

  beforeAll(async () => {
    provider.register();
    gemini = await startFakeGemini({ port: 0 });
    workDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-traces-"));
    const config = loadConfig({
      AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
      GEMINI_API_KEY: "fake-gemini-key",
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      AGENTLLM_RUNTIME_PORT: "0",
      AGENTLLM_PUBLIC_PORT: "0",
      AGENTLLM_DATA_DIR: path.join(workDir, "data"),
      AGENTLLM_TOKEN_ENCRYPTION_KEY: randomFernetKey(),
    });
    runtime = await startRuntime(config, { logger: createLogger("warn", { write: () => {} }) });
    ({ proxy, client } = await startProxyClient({
      runtimeUrl: runtime.url,
      runtimeToken: RUNTIME_TOKEN,
      masterKey: MASTER_KEY,
      geminiApiKey: "fake-gemini-key",
      proxyConfig: paths.proxyConfig,
    }));
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await runtime?.close();
    await gemini?.close();
    await provider.shutdown();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("server span under the client's, then lock wait, model → tool → model", async () => {
    gemini.enqueue(
      {
        parts: [
          {
            functionCall: {
              name: "generate_color_palette",
              args: { paletteType: "analogous", color: "blue" },
            },
          },
        ],
      },
      { parts: ["Here is your palette."] },
    );
    const answer = await client.chat.completions.create(
      { model: "agno/demo-agent", messages: [{ role: "user", content: QUESTION }] },
      {
        headers: {
          traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01`,
          "X-OpenWebUI-User-Id": USER,
          "X-OpenWebUI-Chat-Id": CHAT,
        },
      },
    );
    expect(answer.choices[0]?.message.content).toContain("Here is your palette.");

    const server = await vi.waitFor(() => {
      const found = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
      if (!found) throw new Error("no server span yet");
      return found;
    });
    expect(server.spanContext().traceId).toBe(TRACE_ID);
    expect(server.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    const spans = exporter.getFinishedSpans();
    // In the order they ended (the exporter gets each span as it ends), not by timestamps,
    // which can tie within a clock tick.
    const children = spans.filter(
      (span) => span.parentSpanContext?.spanId === server.spanContext().spanId,
    );
    expect(children.map((span) => span.name)).toEqual([
      "session lock wait",
      expect.stringMatching(/^chat gemini-/),
      "tool generate_color_palette",
      expect.stringMatching(/^chat gemini-/),
    ]);
    expect(children[2]?.attributes["agentllm.tool.outcome"]).toBe("ok");
    const recorded = JSON.stringify(spans.map((span) => [span.name, span.attributes]));
    expect(recorded).not.toContain("MARMALADE");
    expect(recorded).not.toContain(RUNTIME_TOKEN);
    expect(recorded).not.toContain(MASTER_KEY);
    expect(recorded).not.toContain(USER);
    expect(recorded).not.toContain(CHAT);
  });
});
