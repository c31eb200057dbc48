import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { startTracing, TracingConfigError } from "./start-tracing.ts";

describe("startTracing", () => {
  afterEach(() => {
    trace.disable();
  });

  it.each([
    ["no OTEL_* variable", {}],
    [
      "OTEL_TRACES_EXPORTER=none, even with an endpoint",
      {
        OTEL_TRACES_EXPORTER: "none",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
      },
    ],
    [
      "OTEL_SDK_DISABLED=true",
      {
        OTEL_SDK_DISABLED: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
      },
    ],
    ["a blank endpoint", { OTEL_EXPORTER_OTLP_ENDPOINT: "  " }],
  ])("stays off with %s: no provider, spans are no-ops", async (_name, env) => {
    const tracing = startTracing(env);
    expect(tracing.enabled).toBe(false);
    const span = trace.getTracer("t").startSpan("x");
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing.shutdown();
  });

  it.each([
    ["an OTLP endpoint", { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" }],
    ["a traces endpoint", { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" }],
    ["OTEL_TRACES_EXPORTER=otlp", { OTEL_TRACES_EXPORTER: "otlp" }],
    ["OTEL_TRACES_EXPORTER=console", { OTEL_TRACES_EXPORTER: "Console" }],
  ])("turns on with %s and records spans", async (_name, env) => {
    const tracing = startTracing(env);
    expect(tracing.enabled).toBe(true);
    expect(trace.getTracer("t").startSpan("x").isRecording()).toBe(true);
    // Nothing was ended, so nothing is exported: shutting down sends nothing anywhere.
    await tracing.shutdown();
  });

  it("refuses an exporter it does not have, naming the variable", () => {
    expect(() => startTracing({ OTEL_TRACES_EXPORTER: "zipkin" })).toThrow(TracingConfigError);
    expect(() => startTracing({ OTEL_TRACES_EXPORTER: "zipkin" })).toThrow(
      /OTEL_TRACES_EXPORTER=zipkin/,
    );
  });

  function recordedRoots(env: Record<string, string>, count: number): number {
    startTracing({ OTEL_TRACES_EXPORTER: "console", ...env });
    let recorded = 0;
    for (let i = 0; i < count; i += 1) {
      const span = trace.getTracer("t").startSpan("root");
      if (span.isRecording()) recorded += 1;
      // Not ended: nothing is printed.
    }
    trace.disable();
    return recorded;
  }

  it("keeps the traces OTEL_TRACES_SAMPLER chooses, read from the env it is given", () => {
    expect(recordedRoots({}, 200)).toBe(200);
    expect(recordedRoots({ OTEL_TRACES_SAMPLER: "always_off" }, 200)).toBe(0);
    expect(recordedRoots({ OTEL_TRACES_SAMPLER: "parentbased_always_off" }, 200)).toBe(0);
    expect(
      recordedRoots({ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" }, 200),
    ).toBe(0);
    // Trace ids are random: a quarter of 2000 lands well inside 350..650.
    const quarter = recordedRoots(
      { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" },
      2000,
    );
    expect(quarter).toBeGreaterThanOrEqual(350);
    expect(quarter).toBeLessThanOrEqual(650);
    // No ratio given: 1, as the spec says.
    expect(recordedRoots({ OTEL_TRACES_SAMPLER: " TraceIdRatio " }, 50)).toBe(50);
  });

  it.each([
    [{ OTEL_TRACES_SAMPLER: "jaeger_remote" }, /OTEL_TRACES_SAMPLER=jaeger_remote/],
    [
      { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" },
      /OTEL_TRACES_SAMPLER_ARG=1.5/,
    ],
    [
      { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "half" },
      /OTEL_TRACES_SAMPLER_ARG=half/,
    ],
  ])("refuses a sampler it cannot honour (%o), naming the variable", (env, named) => {
    expect(() => startTracing({ OTEL_TRACES_EXPORTER: "console", ...env })).toThrow(named);
  });

  it("exports ended spans to the OTLP endpoint as protobuf when it stops", async () => {
    const received: { url: string; type: string; body: Buffer }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({
          url: req.url ?? "",
          type: req.headers["content-type"] ?? "",
          body: Buffer.concat(chunks),
        });
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      const tracing = startTracing({
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_SERVICE_NAME: "runtime-under-test",
      });
      const span = trace.getTracer("t").startSpan("exported span");
      const traceId = span.spanContext().traceId;
      span.end();
      // Nothing has left yet (the batch waits); shutting down flushes it.
      await tracing.shutdown();
      expect(received).toHaveLength(1);
      const [request] = received as [(typeof received)[number]];
      expect(request.url).toBe("/v1/traces");
      expect(request.type).toBe("application/x-protobuf");
      expect(request.body.includes(Buffer.from(traceId, "hex"))).toBe(true);
      expect(request.body.includes(Buffer.from("exported span"))).toBe(true);
      expect(request.body.includes(Buffer.from("runtime-under-test"))).toBe(true);
    } finally {
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
