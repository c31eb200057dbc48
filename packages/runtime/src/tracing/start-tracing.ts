import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-node";

/**
 * What `startTracing` set up. `shutdown` flushes the spans still queued, within the exporter's
 * timeout (`OTEL_EXPORTER_OTLP_TIMEOUT`); it may reject when the collector is unreachable.
 */
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
 * The endpoint comes from `env`; the exporter reads its other variables (headers, timeout,
 * compression) from the process environment, which `main.ts` passes as `env`. The batch
 * processor bounds its queue with `OTEL_BSP_MAX_QUEUE_SIZE` (default 2048; spans past it are
 * dropped, never held in memory). `OTEL_TRACES_SAMPLER` (and its `_ARG`) chooses which traces
 * are kept, as in the proxy.
 */
export function startTracing(env: Readonly<Record<string, string | undefined>>): Tracing {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return OFF;
  const exporter = chooseExporter(env);
  if (!exporter) return OFF;
  const provider = new NodeTracerProvider({
    sampler: chooseSampler(env),
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
  const url = tracesUrl(env);
  if (named === "") return url ? new OTLPTraceExporter({ url }) : undefined;
  if (named === "none") return undefined;
  // Without an endpoint the exporter's default, http://localhost:4318/v1/traces.
  if (named === "otlp") return new OTLPTraceExporter(url ? { url } : {});
  if (named === "console") return new ConsoleSpanExporter();
  throw new TracingConfigError(
    `OTEL_TRACES_EXPORTER=${named.slice(0, 40)} is not supported here: use otlp, console or none.`,
  );
}

const FIXED_SAMPLERS: Readonly<Record<string, () => Sampler>> = {
  always_on: () => new AlwaysOnSampler(),
  always_off: () => new AlwaysOffSampler(),
  parentbased_always_on: () => new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  parentbased_always_off: () => new ParentBasedSampler({ root: new AlwaysOffSampler() }),
};
const RATIO_SAMPLERS: Readonly<Record<string, (ratio: number) => Sampler>> = {
  traceidratio: (ratio) => new TraceIdRatioBasedSampler(ratio),
  parentbased_traceidratio: (ratio) =>
    new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }),
};

/**
 * The spec's built-in samplers, read from `env`. The SDK would read them from the process and
 * fall back to sampling everything, with a log line, for a name or ratio it cannot use; here
 * that stops the start, naming the variable (the proxy does the same).
 */
function chooseSampler(env: Readonly<Record<string, string | undefined>>): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? "").trim().toLowerCase() || "parentbased_always_on";
  const fixed = FIXED_SAMPLERS[name];
  if (fixed) return fixed();
  const ratioSampler = RATIO_SAMPLERS[name];
  if (!ratioSampler) {
    const known = [...Object.keys(FIXED_SAMPLERS), ...Object.keys(RATIO_SAMPLERS)].join(", ");
    throw new TracingConfigError(
      `OTEL_TRACES_SAMPLER=${name.slice(0, 40)} is not supported here: use one of ${known}.`,
    );
  }
  const arg = (env.OTEL_TRACES_SAMPLER_ARG ?? "").trim();
  const ratio = arg === "" ? 1 : Number(arg);
  if (!(ratio >= 0 && ratio <= 1)) {
    throw new TracingConfigError(
      `OTEL_TRACES_SAMPLER_ARG=${arg.slice(0, 40)} is not a ratio between 0 and 1.`,
    );
  }
  return ratioSampler(ratio);
}

/**
 * Where spans go, from the variables given (not the process's): the traces endpoint as it is,
 * or the base endpoint with the signal's path, as the OTLP specification says.
 */
function tracesUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}
