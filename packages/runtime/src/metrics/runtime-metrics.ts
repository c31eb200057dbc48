import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Label value for an agent or tool name the registry does not know (bounded cardinality). */
export const UNKNOWN_LABEL = "unknown";

/**
 * Buckets in seconds for the time to the first token and a run's duration: an LLM answer takes
 * from a fraction of a second (a cached short reply) to minutes (several tool steps with
 * thinking); 120 s is beyond the model's idle timeout, so the last bucket catches stuck runs.
 */
export const ANSWER_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120] as const;

/** A session lock is usually free (0 s) or waits for one run, bounded by AGENTLLM_SESSION_WAIT_MS. */
export const LOCK_WAIT_BUCKETS_SECONDS = [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120] as const;

/** Why admission control refused a request (http/admission). */
export type AdmissionRefusal = "runs" | "bytes";

export interface MetricsLabels {
  /** Agent names from the registry; anything else is labelled {@link UNKNOWN_LABEL}. */
  readonly agents: readonly string[];
  /** Tool names the agents declare; anything else (a model's invented name) is {@link UNKNOWN_LABEL}. */
  readonly tools: readonly string[];
}

/**
 * The runtime's Prometheus series, on a registry of its own (never prom-client's global one: tests
 * start several runtimes in one process). Labels hold only agent names, tool names, HTTP statuses
 * and fixed reasons, each from a bounded set: never a user id, a session id or any text.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly #agents: ReadonlySet<string>;
  readonly #tools: ReadonlySet<string>;

  readonly requests = new Counter({
    name: "agentllm_requests_total",
    help: "Chat completion requests by agent and status (the HTTP status, or for a stream that failed after its first byte the error's status, or 'disconnected').",
    labelNames: ["agent", "status"] as const,
    registers: [this.registry],
  });
  readonly ttft = new Histogram({
    name: "agentllm_time_to_first_token_seconds",
    help: "Seconds from a chat completion's arrival to the first answer or thought token, by agent.",
    labelNames: ["agent"] as const,
    buckets: [...ANSWER_BUCKETS_SECONDS],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "agentllm_run_duration_seconds",
    help: "Seconds from a chat completion's arrival to the end of its run (the turn stored), by agent and outcome.",
    labelNames: ["agent", "outcome"] as const,
    buckets: [...ANSWER_BUCKETS_SECONDS],
    registers: [this.registry],
  });
  readonly activeRuns = new Gauge({
    name: "agentllm_active_runs",
    help: "Agent runs in progress, by agent.",
    labelNames: ["agent"] as const,
    registers: [this.registry],
  });
  readonly toolCalls = new Counter({
    name: "agentllm_tool_calls_total",
    help: "Tool calls that returned a result to the model, by tool.",
    labelNames: ["tool"] as const,
    registers: [this.registry],
  });
  readonly toolErrors = new Counter({
    name: "agentllm_tool_errors_total",
    help: "Tool calls whose result was an error (threw, timed out, bad arguments, refused), by tool.",
    labelNames: ["tool"] as const,
    registers: [this.registry],
  });
  readonly modelRetries = new Counter({
    name: "agentllm_model_retries_total",
    help: "Model calls retried, by the upstream HTTP status that caused the retry (0: network error).",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  readonly lockWait = new Histogram({
    name: "agentllm_session_lock_wait_seconds",
    help: "Seconds a request waited for its session's lock (granted or not).",
    buckets: [...LOCK_WAIT_BUCKETS_SECONDS],
    registers: [this.registry],
  });
  readonly sessionBusy = new Counter({
    name: "agentllm_session_busy_total",
    help: "Requests refused with 409 because their session stayed busy past AGENTLLM_SESSION_WAIT_MS.",
    registers: [this.registry],
  });
  readonly admissionRejections = new Counter({
    name: "agentllm_admission_rejections_total",
    help: "Requests refused with 503 by admission control, by reason: runs (AGENTLLM_MAX_CONCURRENT_RUNS) or bytes (AGENTLLM_MAX_INFLIGHT_BYTES).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  /** This runtime's series and the process's, as one scrape serves them. */
  readonly #exposed: Registry;

  constructor(labels: MetricsLabels) {
    this.#agents = new Set(labels.agents);
    this.#tools = new Set(labels.tools);
    this.#exposed = Registry.merge([this.registry, processRegistry()]);
  }

  /** The agent's label value: its registry name, or {@link UNKNOWN_LABEL}. */
  agentLabel(name: string | undefined): string {
    return name !== undefined && this.#agents.has(name) ? name : UNKNOWN_LABEL;
  }

  /** The tool's label value: a declared tool's name, or {@link UNKNOWN_LABEL}. */
  toolLabel(name: string): string {
    return this.#tools.has(name) ? name : UNKNOWN_LABEL;
  }

  /** The exposition text and its content type, for `GET /metrics`. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.#exposed.contentType, body: await this.#exposed.metrics() };
  }
}

let processMetrics: Registry | undefined;

/**
 * Process metrics (CPU, memory, heap, event loop lag, GC, handles) with their standard names.
 * They describe the process, not a runtime, and prom-client's collectors cannot be stopped (a GC
 * observer, an event-loop histogram): so one set per process, however many runtimes it starts
 * and closes (tests start dozens), rather than one more set at every start.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
