import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ConsoleSpanExporter } from "@opentelemetry/sdk-trace-base";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-node";

/** What `startTracing` set up: `shutdown` flushes the spans still queued (bounded by the exporter's timeout). */
export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

export class TracingConfigError extends Error {
  override readonly name = "TracingConfigError";
}

const OFF: Tracing = { enabled: false, shutdown: async () => {} };

/**
 * Sets up OpenTelemetry tracing from the standard `OTEL_*` variables, and only when they ask
 * for an exporter: `OTEL_TRACES_EXPORTER=otlp|console`, or an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) with no exporter named.
 * Otherwise nothing is registered, nothing is exported and nothing connects anywhere.
 * The exporter reads its own variables (protocol http/protobuf, headers, timeout); the batch
 * processor bounds its queue with `OTEL_BSP_MAX_QUEUE_SIZE` (default 2048; spans past it are
 * dropped, never held in memory).
 */
export function startTracing(env: Readonly<Record<string, string | undefined>>): Tracing {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return OFF;
  const exporter = chooseExporter(env);
  if (!exporter) return OFF;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      "service.name": env.OTEL_SERVICE_NAME?.trim() || "agentllm-runtime",
    }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Also installs the W3C trace-context propagator and the AsyncLocalStorage context manager.
  provider.register();
  return { enabled: true, shutdown: () => provider.shutdown() };
}

function chooseExporter(
  env: Readonly<Record<string, string | undefined>>,
): SpanExporter | undefined {
  const named = (env.OTEL_TRACES_EXPORTER ?? "").trim().toLowerCase();
  if (named === "") {
    const endpoint =
      env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
    return endpoint ? new OTLPTraceExporter() : undefined;
  }
  if (named === "none") return undefined;
  if (named === "otlp") return new OTLPTraceExporter();
  if (named === "console") return new ConsoleSpanExporter();
  throw new TracingConfigError(
    `OTEL_TRACES_EXPORTER=${named.slice(0, 40)} is not supported here: use otlp, console or none.`,
  );
}
