import type { AgentEvent } from "../agents/loop/agent-event.ts";
import type { RuntimeMetrics } from "./runtime-metrics.ts";

export interface RunObservation {
  /** The agent's registry name. */
  readonly agent: string;
  /** `performance.now()` when the request arrived: TTFT and duration count from there. */
  readonly startedAt: number;
  /** The request's signal: a run that ends after it aborted is "aborted", not "error". */
  readonly signal: AbortSignal;
}

/**
 * Passes a run's events through unchanged, counting as they go: the run as active while it
 * lasts, the first answer or thought token (TTFT), each tool result (and error), and the
 * run's duration with its outcome (ok, error, aborted) when it ends, however it ends.
 */
export async function* observeRun(
  metrics: RuntimeMetrics,
  run: RunObservation,
  events: AsyncGenerator<AgentEvent>,
): AsyncGenerator<AgentEvent> {
  const agent = metrics.agentLabel(run.agent);
  metrics.activeRuns.inc({ agent });
  let outcome: "ok" | "error" | "aborted" = "aborted";
  let firstToken = true;
  try {
    for await (const event of events) {
      if (firstToken && (event.type === "text-delta" || event.type === "reasoning-delta")) {
        firstToken = false;
        metrics.ttft.observe({ agent }, seconds(run.startedAt));
      }
      if (event.type === "tool-result") {
        const tool = metrics.toolLabel(event.name);
        metrics.toolCalls.inc({ tool });
        if (event.isError) metrics.toolErrors.inc({ tool });
      }
      yield event;
    }
    outcome = "ok";
  } catch (error) {
    outcome = run.signal.aborted ? "aborted" : "error";
    throw error;
  } finally {
    // Left as "aborted" when the consumer stopped early (the client went away).
    if (outcome === "ok" && run.signal.aborted) outcome = "aborted";
    metrics.activeRuns.dec({ agent });
    metrics.duration.observe({ agent, outcome }, seconds(run.startedAt));
  }
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}
