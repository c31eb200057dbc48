import { type Span, type SpanOptions, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * The runtime's spans. Without a registered provider (tracing off, see start-tracing.ts) the
 * API hands out no-op spans, so instrumented code costs next to nothing and sends nothing.
 */
export const tracer = trace.getTracer("agentllm-runtime");

/**
 * Marks a span failed with the error's class only: messages can quote user content or a
 * tool's arguments, which never go into a trace.
 */
export function markFailed(span: Span, error: unknown): void {
  const errorType = error instanceof Error ? error.name : typeof error;
  span.setAttribute("error.type", errorType);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `run` inside an active span (its child spans and fetches nest under it) that ends when
 * `run` settles. A throw marks the span failed, by the error's class only, and goes on up.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  run: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await run(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}
