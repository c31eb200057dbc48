import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOtlpCollector, startFakeOtlpCollector } from "./server.ts";
import { OtlpSpanKind } from "./trace-request.ts";

// The real OTLP/HTTP protobuf exporter (the runtime's) sends to the fake; what it sent comes back.

describe("fake OTLP collector", () => {
  let collector: FakeOtlpCollector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  function providerFor(url: string): BasicTracerProvider {
    return new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces` }))],
    });
  }

  it("records spans with ids, parents, kinds, attributes, events and status", async () => {
    collector = await startFakeOtlpCollector();
    const provider = providerFor(collector.url);
    const tracer = provider.getTracer("collector-test");
    const parent = tracer.startSpan("parent", { kind: SpanKind.SERVER });
    const { traceId, spanId: parentId } = parent.spanContext();
    const child = tracer.startSpan(
      "child",
      {
        kind: SpanKind.CLIENT,
        attributes: { "http.route": "/rest/api/2/issue/{key}", status: 200, ok: true, ratio: 0.5 },
      },
      trace.setSpan(context.active(), parent),
    );
    child.addEvent("retry", { attempt: 2 });
    child.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
    child.end();
    parent.end();
    await provider.forceFlush();
    await provider.shutdown();

    const spans = collector.spans();
    expect(spans.map((span) => span.name)).toEqual(["child", "parent"]);
    const [received, root] = spans;
    expect(root).toMatchObject({ traceId, spanId: parentId, kind: OtlpSpanKind.SERVER });
    expect(root?.parentSpanId).toBeUndefined();
    expect(received).toMatchObject({
      traceId,
      parentSpanId: parentId,
      kind: OtlpSpanKind.CLIENT,
      scope: "collector-test",
      attributes: { "http.route": "/rest/api/2/issue/{key}", status: 200, ok: true, ratio: 0.5 },
      events: [{ name: "retry", attributes: { attempt: 2 } }],
      status: { code: 2, message: "boom" },
    });
    expect(received?.serviceName).toMatch(/^unknown_service/);
  });

  it("refuses other paths, methods and content types", async () => {
    collector = await startFakeOtlpCollector();
    expect((await fetch(`${collector.url}/v1/metrics`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${collector.url}/v1/traces`)).status).toBe(405);
    const json = await fetch(`${collector.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(415);
    const garbage = await fetch(`${collector.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array([0x0a, 0xff, 0xff]),
    });
    expect(garbage.status).toBe(400);
    expect(collector.spans()).toEqual([]);
    expect(collector.requestCount()).toBe(4);
  });

  it("takes a body of exactly maxBodyBytes and refuses one byte more", async () => {
    collector = await startFakeOtlpCollector({ maxBodyBytes: 2 });
    const post = (body: Uint8Array) =>
      fetch(`${collector?.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body,
      });
    // An empty resource_spans entry: field 1, length 0.
    expect((await post(new Uint8Array([0x0a, 0x00]))).status).toBe(200);
    expect((await post(new Uint8Array([0x0a, 0x00, 0x0a]))).status).toBe(413);
  });

  it("keeps maxSpans spans and refuses an export past them whole", async () => {
    collector = await startFakeOtlpCollector({ maxSpans: 2 });
    const provider = providerFor(collector.url);
    const tracer = provider.getTracer("limit");
    tracer.startSpan("one").end();
    tracer.startSpan("two").end();
    await provider.forceFlush();
    const before = collector.requestCount();
    tracer.startSpan("three").end();
    await provider.forceFlush().catch(() => {});
    await provider.shutdown().catch(() => {});
    expect(collector.spans().map((span) => span.name)).toEqual(["one", "two"]);
    expect(collector.requestCount()).toBeGreaterThan(before);
  });
});
