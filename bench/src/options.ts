import { parseArgs } from "node:util";
import type { Settings } from "./report.ts";

export const usage = `usage: just bench [--quick] [options]
  --quick              concurrency 1 and 20, sessions of 1 and 200 turns, fewer requests, no
                       scale section (< 1 min)
  --streams <n>        only the streamed-answer rows at n concurrent streams (after the warm-up):
                       one row before and after a change, without the tool and session rows
  --scale              only the scale section: streamed answers through the real proxy with
                       1 or 2 LiteLLM processes x 1 or 2 runtimes on one Postgres (100 streams,
                       or --streams n; with --quick 20 streams and fewer requests). The full
                       run (no option) ends with it too
  --tokens <n>         tokens per streamed answer (default 30; quick 20)
  --delay-ms <n>       fake model's pause between two tokens (default 20; quick 15)
  --first-delay-ms <n> fake model's pause before the first token (default: --delay-ms)
  --profile            CPU-profile the runtime after the warm-up; print its top self-time functions
  --runtime <form>     compiled (default: the production form, \`just build\`'s JavaScript) or source (tsx)
  --runtime-node-options=<opts>  extra NODE_OPTIONS for the runtime, after the launcher's own
                       (tuning experiments; write it with "=" since the value starts with "--")
Results: a table on stdout, JSON in bench/results/<timestamp>.json.`;

/** The scale section's load, the same for each of its four set-ups. */
export interface ScalePlan {
  readonly concurrency: number;
  /** Measured requests per set-up, at most. */
  readonly requests: number;
  /** No new request starts after this long in one set-up's measured phase (those running finish). */
  readonly maxSeconds: number;
  /** Short requests per set-up before measuring, spread over its proxies (JIT, pools). */
  readonly warmup: number;
}

/** Past this many streams one client process would measure itself, not the set-ups. */
export const MAX_SCALE_STREAMS = 500;
/** One set-up's measured phase stops starting requests after this long. */
export const SCALE_MAX_SECONDS = 60;

export interface Plan {
  readonly settings: Settings;
  readonly requests: Record<number, number>;
  readonly toolConcurrency: readonly number[];
  readonly toolRequests: Record<number, number>;
  readonly sessionRequests: number;
  /** Tool-heavy requests per path (b and c), one at a time. */
  readonly jiraRequests: number;
  readonly warmup: number;
  /** Short requests per path after the warm-up, so V8 and caches are in a served-for-a-while state. */
  readonly jitWarmup: number;
  readonly profile: boolean;
  /** The scale section; undefined: not run. */
  readonly scale: ScalePlan | undefined;
  /** Only the scale section (`--scale`): no paths a–c, tools, sessions or knowledge rows. */
  readonly scaleOnly: boolean;
}

/** The bench's command line as a plan; `"help"` for --help. Throws on a bad option. */
export function parseBenchArgs(argv: readonly string[]): Plan | "help" {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      streams: { type: "string" },
      scale: { type: "boolean", default: false },
      tokens: { type: "string" },
      "delay-ms": { type: "string" },
      "first-delay-ms": { type: "string" },
      profile: { type: "boolean", default: false },
      "runtime-node-options": { type: "string" },
      runtime: { type: "string", default: "compiled" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const int = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
    return value;
  };
  const quick = values.quick;
  const tokens = int("tokens", values.tokens, quick ? 20 : 30);
  if (tokens < 1) throw new Error("--tokens must be at least 1");
  const delayMs = int("delay-ms", values["delay-ms"], quick ? 15 : 20);
  const firstDelayMs = int("first-delay-ms", values["first-delay-ms"], delayMs);
  const only = values.streams === undefined ? undefined : int("streams", values.streams, 0);
  if (only === 0) throw new Error("--streams must be at least 1");
  const runtime = values.runtime;
  if (runtime !== "compiled" && runtime !== "source")
    throw new Error("--runtime must be compiled or source");
  const scaleOnly = values.scale;
  if (scaleOnly && values.profile) throw new Error("--profile and --scale cannot go together");
  if (scaleOnly && only !== undefined && only > MAX_SCALE_STREAMS)
    throw new Error(`--streams with --scale must be at most ${MAX_SCALE_STREAMS}`);
  const scaleStreams = only ?? (quick ? 20 : 100);
  // The full run ends with the scale section; --quick and --streams keep to their own rows.
  const scale: ScalePlan | undefined =
    scaleOnly || (!quick && only === undefined)
      ? {
          concurrency: scaleStreams,
          requests: quick ? 5 * scaleStreams : 6 * scaleStreams,
          maxSeconds: SCALE_MAX_SECONDS,
          warmup: quick ? 40 : 200,
        }
      : undefined;
  const settings: Settings = {
    quick,
    runtime,
    tokens,
    delayMs,
    firstDelayMs,
    runtimeNodeOptions: values["runtime-node-options"] ?? "",
    concurrency: scaleOnly ? [] : only ? [only] : quick ? [1, 20] : [1, 20, 100],
    sessionTurns: scaleOnly || only ? [] : quick ? [1, 200] : [1, 200, 1000],
    ...(scaleOnly ? { scaleOnly } : {}),
  };
  const counts = quick
    ? {
        requests: { 1: 8, 20: 60 } as Record<number, number>,
        toolRequests: { 1: 3, 20: 20 } as Record<number, number>,
        sessionRequests: 4,
        jiraRequests: 5,
        warmup: 4,
        jitWarmup: 100,
      }
    : {
        requests: { 1: 60, 20: 300, 100: 600 } as Record<number, number>,
        toolRequests: { 1: 10, 20: 100 } as Record<number, number>,
        sessionRequests: 12,
        jiraRequests: 20,
        warmup: 10,
        jitWarmup: 300,
      };
  const common = { settings, profile: values.profile, scale, scaleOnly };
  if (scaleOnly) {
    return {
      ...common,
      ...counts,
      requests: {},
      toolConcurrency: [],
      toolRequests: {},
      sessionRequests: 0,
      jiraRequests: 0,
    };
  }
  if (only) {
    const requests = counts.requests[only] ?? 6 * only;
    return {
      ...common,
      ...counts,
      toolConcurrency: [],
      requests: { [only]: requests },
      jiraRequests: 0,
    };
  }
  return { ...common, ...counts, toolConcurrency: [1, 20] };
}
