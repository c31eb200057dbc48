import type { CpuUsage } from "./cpu.ts";
import { ratio, type Summary } from "./stats.ts";

/** One set-up of the scale section: how many LiteLLM processes and runtimes. */
export interface ScaleSetup {
  readonly litellm: number;
  readonly runtimes: number;
}

/** The four set-ups, in the order they run; the first is the baseline of the ratios. */
export const SCALE_SETUPS: readonly ScaleSetup[] = [
  { litellm: 1, runtimes: 1 },
  { litellm: 2, runtimes: 1 },
  { litellm: 1, runtimes: 2 },
  { litellm: 2, runtimes: 2 },
];

export interface ScaleResult extends ScaleSetup {
  /** Why the set-up did not run (e.g. the bridge takes one runtime URL only); absent when it ran. */
  readonly skipped?: string;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly ttftMs: Summary;
  readonly totalMs: Summary;
  /** Completed answers per second of the measured phase's wall time. */
  readonly answersPerSecond: number;
  /** Content tokens the clients received per second. */
  readonly tokensPerSecond: number;
  readonly wallMs: number;
  /** Requests each runtime counted in the measured phase (its agentllm_requests_total). */
  readonly perRuntime: number[];
  /** Peak client connections to Postgres in the phase, and of them the session-lock ones. */
  readonly postgresConnections: { readonly peak: number; readonly peakLock: number };
  readonly cpu: CpuUsage;
}

export interface ScaleSection {
  readonly concurrency: number;
  readonly requestsPerSetup: number;
  readonly maxSeconds: number;
  readonly tokens: number;
  readonly results: ScaleResult[];
}

/** At or above this share of one core, a single-threaded hot path is saturated. */
export const SATURATED_SHARE = 0.9;

export function setupLabel(setup: ScaleSetup): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(setup.litellm, "LiteLLM")} + ${plural(setup.runtimes, "runtime")}`;
}

/** The sum of every sample of one Prometheus counter in an exposition text, whatever its labels. */
export function sumCounter(exposition: string, name: string): number {
  let sum = 0;
  for (const line of exposition.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!rest.startsWith("{") && !rest.startsWith(" ")) continue; // a longer name
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export interface ScaleRatios {
  readonly answersPerSecond: number;
  readonly tokensPerSecond: number;
  readonly ttftP50: number;
  readonly ttftP99: number;
}

/** `result` against the baseline (1 LiteLLM + 1 runtime); NaN where either did not run. */
export function scaleRatios(result: ScaleResult, baseline: ScaleResult | undefined): ScaleRatios {
  const ran = (r: ScaleResult | undefined) => r !== undefined && r.skipped === undefined;
  if (!ran(result) || !ran(baseline) || baseline === undefined) {
    return {
      answersPerSecond: Number.NaN,
      tokensPerSecond: Number.NaN,
      ttftP50: Number.NaN,
      ttftP99: Number.NaN,
    };
  }
  return {
    answersPerSecond: ratio(result.answersPerSecond, baseline.answersPerSecond),
    tokensPerSecond: ratio(result.tokensPerSecond, baseline.tokensPerSecond),
    ttftP50: ratio(result.ttftMs.p50, baseline.ttftMs.p50),
    ttftP99: ratio(result.ttftMs.p99, baseline.ttftMs.p99),
  };
}

/**
 * Completed answers per CPU second of every metered process (proxies, runtimes, Postgres, the
 * fake, the client): what an answer costs in each set-up, which other load on a shared machine
 * changes far less than answers per second of wall time.
 */
export function answersPerCpuSecond(result: ScaleResult): number {
  const seconds = Object.values(result.cpu.seconds).reduce((sum, s) => sum + s, 0);
  return ratio(result.requests - result.errors, seconds);
}

/** Each metered process's CPU as a share of one core over the phase, busiest first. */
export function coreShares(cpu: CpuUsage): [string, number][] {
  if (!(cpu.wallSeconds > 0)) return [];
  return Object.entries(cpu.seconds)
    .map(([name, seconds]): [string, number] => [name, seconds / cpu.wallSeconds])
    .sort((x, y) => y[1] - x[1]);
}

/**
 * Which limit the set-up hit: a process at a full core (its one hot thread), else the machine
 * when all its cores were busy (with whoever else ran), else none.
 */
export function saturation(cpu: CpuUsage): string {
  const shares = coreShares(cpu);
  const pct = (share: number) => `${Math.round(share * 100)} %`;
  const top = shares.filter(([, share]) => share >= SATURATED_SHARE);
  // The machine is shared: how much of its busy time was this set-up's own processes.
  const ours = shares.reduce((sum, [, share]) => sum + share, 0) / cpu.cores;
  const machine = `machine ${pct(cpu.machineBusy)} busy over ${cpu.cores} cores, ${pct(ours)} by the bench's processes`;
  const busiest = shares
    .slice(0, 3)
    .map(([name, share]) => `${name} ${pct(share)}`)
    .join(", ");
  if (top.length > 0) {
    return `${top.map(([name]) => name).join(" and ")} at a full core (${busiest} of a core; ${machine})`;
  }
  if (cpu.machineBusy >= SATURATED_SHARE) {
    return `the machine: all ${cpu.cores} cores busy (${pct(ours)} by the bench's processes), no single process at a full core (${busiest} of a core)`;
  }
  return `nothing saturated (${busiest} of a core; ${machine})`;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "-");
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "-");

/** The scale section as text lines: the table, the ratios, the CPU and saturation per set-up. */
export function renderScale(section: ScaleSection): string[] {
  const baseline = section.results.find((r) => r.litellm === 1 && r.runtimes === 1);
  const header = [
    "set-up",
    "n",
    "answers/s",
    "tokens/s",
    "TTFT p50",
    "TTFT p99",
    "total p50",
    "answers/s ×",
    "tokens/s ×",
    "answers/CPU-s",
    "TTFT p50 ×",
    "TTFT p99 ×",
    "per runtime",
    "PG conns (lock)",
    "errors",
  ];
  const rows = section.results.map((r) => {
    if (r.skipped !== undefined) {
      return [setupLabel(r), ...header.slice(1, -1).map(() => "-"), "skipped"];
    }
    const q = scaleRatios(r, baseline);
    return [
      setupLabel(r),
      String(r.requests),
      r.answersPerSecond.toFixed(1),
      r.tokensPerSecond.toFixed(0),
      ms(r.ttftMs.p50),
      ms(r.ttftMs.p99),
      ms(r.totalMs.p50),
      x(q.answersPerSecond),
      x(q.tokensPerSecond),
      answersPerCpuSecond(r).toFixed(1),
      x(q.ttftP50),
      x(q.ttftP99),
      r.perRuntime.join(" / "),
      `${r.postgresConnections.peak} (${r.postgresConnections.peakLock})`,
      String(r.errors),
    ];
  });
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  const out = [
    `scale: streamed answers through the real proxy at ${section.concurrency} streams (${section.requestsPerSetup} requests or ${section.maxSeconds} s per set-up, ${section.tokens} tokens each); runtimes share one Postgres; ratios (×) against 1 LiteLLM + 1 runtime`,
    line(header),
    widths.map((w) => "─".repeat(w)).join("  "),
    ...rows.map(line),
    "(milliseconds; the client sends request k to LiteLLM process k mod n; answers/CPU-s = answers per CPU second of all the processes below; per runtime = requests each runtime counted; PG conns = peak client connections to Postgres, in brackets the session-lock ones)",
    "CPU per process (share of one core over the measured phase, CPU milliseconds per answer) and what saturated:",
  ];
  for (const r of section.results) {
    if (r.skipped !== undefined) {
      out.push(`  ${setupLabel(r)}: skipped: ${r.skipped}`);
      continue;
    }
    out.push(`  ${setupLabel(r)}: ${saturation(r.cpu)}`);
    // CPU per answer: where each process's limit would be with a core to itself.
    const answers = r.requests - r.errors;
    out.push(
      `    ${coreShares(r.cpu)
        .map(
          ([name, share]) =>
            `${name} ${Math.round(share * 100)} % (${ms(((r.cpu.seconds[name] ?? 0) * 1000) / answers)} ms/answer)`,
        )
        .join(", ")}`,
    );
  }
  const errors = section.results.flatMap((r) =>
    r.errorSamples.map((e) => `  ${setupLabel(r)}: ${e}`),
  );
  if (errors.length > 0) out.push("scale error samples:", ...errors.slice(0, 8));
  return out;
}
