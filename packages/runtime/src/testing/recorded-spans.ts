import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/** Spans kept in memory by a provider of the test's own; `register()` it in `beforeAll`. */
export interface RecordedSpans {
  readonly provider: NodeTracerProvider;
  readonly exporter: InMemorySpanExporter;
  finished(): ReadableSpan[];
  /**
   * Everything an exporter would send of the finished spans, as one text: names, attributes,
   * events, links, status, resource. A planted secret must not appear in it.
   */
  exportedText(): string;
}

export function recordSpans(): RecordedSpans {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return {
    provider,
    exporter,
    finished: () => exporter.getFinishedSpans(),
    exportedText: () =>
      JSON.stringify(
        exporter.getFinishedSpans().map((span) => ({
          name: span.name,
          attributes: span.attributes,
          events: span.events,
          links: span.links,
          status: span.status,
          resource: span.resource.attributes,
        })),
      ),
  };
}
