import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import { GoogleGenAI } from "@google/genai";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tracer } from "../tracing/tracer.ts";
import { EMBED_BATCH, EMBEDDING_MODEL, type EmbedClient, geminiEmbedder } from "./embedder.ts";

describe("geminiEmbedder spans", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());
  beforeEach(() => exporter.reset());

  /** Answers one vector per text; Vertex-style token counts when `tokens` is set. */
  function client(options: { tokens?: boolean; fail?: boolean } = {}): EmbedClient {
    return {
      async embedContent({ contents }) {
        if (options.fail) throw new TypeError("fetch failed embedding MARMALADE");
        return {
          embeddings: contents.map((text) => ({
            values: [1, 0, 0],
            ...(options.tokens ? { statistics: { tokenCount: text.length } } : {}),
          })),
        };
      },
    };
  }

  it("records one client span per batch under the active span: model, inputs, purpose; never the texts", async () => {
    const texts = Array.from({ length: EMBED_BATCH + 1 }, (_, i) => `MARMALADE passage ${i}`);
    await tracer.startActiveSpan("tool search_knowledge", async (tool) => {
      await geminiEmbedder(client()).embed(texts, "document");
      tool.end();
    });
    const [full, rest, tool] = exporter.getFinishedSpans();
    expect(full?.name).toBe(`embeddings ${EMBEDDING_MODEL}`);
    expect(full?.kind).toBe(SpanKind.CLIENT);
    expect(full?.parentSpanContext?.spanId).toBe(tool?.spanContext().spanId);
    expect(full?.attributes).toEqual({
      "gen_ai.operation.name": "embeddings",
      "gen_ai.provider.name": "gcp.gemini",
      "gen_ai.request.model": EMBEDDING_MODEL,
      "gen_ai.embeddings.dimension.count": 768,
      "agentllm.embeddings.inputs": EMBED_BATCH,
      "agentllm.embeddings.purpose": "document",
    });
    // The Gemini API counts no tokens for embeddings: no usage attribute rather than a 0.
    expect(rest?.attributes["agentllm.embeddings.inputs"]).toBe(1);
    expect(rest?.attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain(
      "MARMALADE",
    );
  });

  it("records the input tokens when the API counts them", async () => {
    await geminiEmbedder(client({ tokens: true })).embed(["abc", "defgh"], "query");
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes).toMatchObject({
      "gen_ai.usage.input_tokens": 8,
      "agentllm.embeddings.purpose": "query",
    });
  });

  it("marks a failed call by the error's class only", async () => {
    await expect(geminiEmbedder(client({ fail: true })).embed(["x"], "query")).rejects.toThrow();
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes["error.type"]).toBe("TypeError");
    expect(JSON.stringify([span?.attributes, span?.events, span?.status])).not.toContain(
      "MARMALADE",
    );
  });

  describe("through the real SDK and the fake Gemini", () => {
    let gemini: FakeGemini;
    beforeAll(async () => {
      gemini = await startFakeGemini();
    });
    afterAll(() => gemini.close());

    it("records the batch the API answered, with no usage the API did not give and no text", async () => {
      const ai = new GoogleGenAI({
        apiKey: "fake-gemini-key",
        httpOptions: { baseUrl: gemini.url },
      });
      const vectors = await geminiEmbedder(ai.models).embed(
        ["MARMALADE refunds", "MARMALADE returns"],
        "document",
      );
      expect(vectors).toHaveLength(2);
      expect(gemini.embedRequests).toHaveLength(1);
      const [span] = exporter.getFinishedSpans();
      expect(span?.name).toBe(`embeddings ${EMBEDDING_MODEL}`);
      expect(span?.attributes["agentllm.embeddings.inputs"]).toBe(2);
      expect(span?.attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
      expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
      const recorded = JSON.stringify([span?.attributes, span?.events, span?.status]);
      expect(recorded).not.toContain("MARMALADE");
      expect(recorded).not.toContain("fake-gemini-key");
    });
  });
});
