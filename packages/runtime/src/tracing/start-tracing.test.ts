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
});
