import os from "node:os";
import type { KnowledgeSearchResult } from "./knowledge-search.ts";
import { PATH_LABELS, type PathName } from "./paths.ts";
import type { RssPeaks } from "./rss.ts";
import { renderScale, type ScaleSection } from "./scale-report.ts";
import { ratio, type Summary } from "./stats.ts";
import type { ToolHeavyResult } from "./tool-heavy.ts";

export interface PhaseResult {
  readonly path: PathName;
  /** `stream`: plain streamed answer; `tool`: one tool step, then the streamed answer. */
  readonly kind: "stream" | "tool";
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly ttftMs: Summary;
  readonly totalMs: Summary;
  readonly requestsPerSecond: number;
  /** Fake model writes token k → client reads token k, over every token of every ok request. */
  readonly gapMs: Summary;
  /** Client request start → the fake receives the model call: the path's work before the model. */
  readonly toModelMs: Summary;
  /** The fake's last event → the client's end of stream. */
  readonly afterModelMs: Summary;
  readonly wallMs: number;
  /** Bytes, peak during the phase. */
  readonly rss: Record<string, RssPeaks>;
}

export interface SessionResult {
  readonly path: PathName;
  readonly turns: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly ttftMs: Summary;
  readonly totalMs: Summary;
  /** Client start → the fake receives the model call (history load, reconcile, request build). */
  readonly toModelMs: Summary;
  /** The fake's own time, receiving the call to its last event (it parses the whole history too). */
  readonly modelMs: Summary;
  /**
   * The branch grew by exactly the number of requests: each one continued the seeded session.
   * null for path a, which stores nothing (LiteLLM forwards the history as it is).
   */
  readonly continued: boolean | null;
  readonly seedMs: number;
  /**
   * Of each continuing request's prompt, the share that repeats the previous request's start
   * byte for byte (what Gemini's implicit cache can serve), over the requests after the first;
   * absent in reports made before it.
   */
  readonly prefixRepeat?: {
    readonly requests: number;
    readonly min: number;
    readonly mean: number;
  };
}

/** The goal for a plain continue: nearly all of the prompt is the previous one's. */
export const PREFIX_REPEAT_GOAL = 0.95;

export interface Settings {
  readonly quick: boolean;
  readonly tokens: number;
  readonly delayMs: number;
  readonly firstDelayMs: number;
  /** Which form of the runtime ran: compiled JavaScript (production) or the TS sources under tsx. */
  readonly runtime: "compiled" | "source";
  /** Extra NODE_OPTIONS the runtime ran with ("" = none). */
  readonly runtimeNodeOptions: string;
  readonly concurrency: readonly number[];
  readonly sessionTurns: readonly number[];
  /** Only the scale section ran (`--scale`); absent otherwise and in older reports. */
  readonly scaleOnly?: boolean;
}

export interface BenchReport {
  readonly date: string;
  readonly machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
  };
  readonly settings: Settings;
  readonly phases: PhaseResult[];
  readonly sessions: SessionResult[];
  /** Five Jira reads in one step (see tool-heavy.ts); absent in reports made before it. */
  readonly toolHeavy?: ToolHeavyResult[];
  /** search_knowledge's index over 1000 chunks (see knowledge-search.ts); absent in older reports. */
  readonly knowledgeSearch?: KnowledgeSearchResult;
  /** 1 or 2 LiteLLM processes × 1 or 2 runtimes (see scale.ts); absent when not run. */
  readonly scale?: ScaleSection;
  readonly startupRss: Record<string, RssPeaks>;
  /** Loopback HTTP round trip to another idle Node process (see hop-floor.ts). */
  readonly hopFloorMs: Summary;
  readonly targets: TargetCheck[];
  readonly durationMs: number;
}

export interface TargetCheck {
  readonly name: string;
  readonly ok: boolean | null;
  readonly detail: string;
}

export function machine(): BenchReport["machine"] {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : "-");
const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(0);
const x = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "-");
const pct = (share: number | undefined) =>
  share !== undefined && Number.isFinite(share) ? `${(share * 100).toFixed(1)} %` : "-";

function table(header: string[], rows: string[][], rightFrom = 1): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        i < rightFrom ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
      )
      .join("  ");
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function find(
  phases: readonly PhaseResult[],
  path: PathName,
  concurrency: number,
  kind: PhaseResult["kind"] = "stream",
): PhaseResult | undefined {
  return phases.find((p) => p.path === path && p.concurrency === concurrency && p.kind === kind);
}

/** The issue's targets, checked against this run's figures. null = not measured in this mode. */
export function checkTargets(
  settings: Settings,
  phases: readonly PhaseResult[],
  sessions: readonly SessionResult[],
  hopFloorMs?: Summary,
  toolHeavy: readonly ToolHeavyResult[] = [],
  knowledgeSearch?: KnowledgeSearchResult,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const top = Math.max(...settings.concurrency);
  for (const c of settings.concurrency) {
    const a = find(phases, "a", c);
    const b = find(phases, "b", c);
    if (!a || !b) continue;
    const p50 = ratio(b.ttftMs.p50, a.ttftMs.p50);
    const p99 = ratio(b.ttftMs.p99, a.ttftMs.p99);
    checks.push({
      name: `TTFT p50 b ≤ 1.05 × a at ${c} streams`,
      ok: p50 <= 1.05,
      detail: `${ms(b.ttftMs.p50)} vs ${ms(a.ttftMs.p50)} ms = ${x(p50)} (${b.ttftMs.p50 >= a.ttftMs.p50 ? "+" : ""}${ms(b.ttftMs.p50 - a.ttftMs.p50)} ms)${c === 1 && hopFloorMs ? `; b's extra process hop alone: ${ms(hopFloorMs.p50)} ms a round trip here` : ""}`,
    });
    checks.push({
      name: `TTFT p99 b ≤ 1.2 × a at ${c} streams`,
      ok: p99 <= 1.2,
      detail: `${ms(b.ttftMs.p99)} vs ${ms(a.ttftMs.p99)} ms = ${x(p99)}`,
    });
  }
  const a100 = find(phases, "a", 100);
  const b100 = find(phases, "b", 100);
  if (a100 && b100) {
    const r = ratio(b100.requestsPerSecond, a100.requestsPerSecond);
    checks.push({
      name: "throughput b ≥ 0.9 × a at 100 streams",
      ok: r >= 0.9,
      detail: `${b100.requestsPerSecond.toFixed(1)} vs ${a100.requestsPerSecond.toFixed(1)} req/s = ${x(r)}`,
    });
  } else {
    checks.push({
      name: "throughput b ≥ 0.9 × a at 100 streams",
      ok: null,
      detail: "not run (--quick or --streams)",
    });
  }
  for (const c of settings.concurrency) {
    const b = find(phases, "b", c);
    if (!b) continue;
    checks.push({
      name: `token hand-off gap p50 on b ≤ 10 ms at ${c} streams`,
      ok: b.gapMs.p50 <= 10,
      detail: `${ms(b.gapMs.p50)} ms (p99 ${ms(b.gapMs.p99)} ms)`,
    });
  }
  const longest = Math.max(...settings.sessionTurns);
  for (const path of ["b", "c"] as const) {
    const one = sessions.find((s) => s.path === path && s.turns === 1);
    const long = sessions.find((s) => s.path === path && s.turns === 1000);
    if (one && long) {
      const r = ratio(long.totalMs.p50, one.totalMs.p50);
      checks.push({
        name: `per-request time at 1000 turns ≤ 1.2 × at 1 turn (${path})`,
        ok: r <= 1.2 && long.continued === true,
        detail: `${ms(long.totalMs.p50)} vs ${ms(one.totalMs.p50)} ms = ${x(r)}${long.continued ? "" : " (session NOT continued!)"}${floorNote(sessions, path)}`,
      });
    } else {
      const at = sessions.find((s) => s.path === path && s.turns === longest);
      checks.push({
        name: `per-request time at 1000 turns ≤ 1.2 × at 1 turn (${path})`,
        ok: null,
        detail:
          at && one
            ? `not run (--quick); at ${longest} turns: ${x(ratio(at.totalMs.p50, one.totalMs.p50))}`
            : "not run (--quick or --streams)",
      });
    }
  }
  for (const path of ["b", "c"] as const) {
    const rows = sessions.filter((s) => s.path === path && s.prefixRepeat);
    if (rows.length === 0) continue;
    const worst = Math.min(...rows.map((s) => s.prefixRepeat?.min ?? Number.NaN));
    checks.push({
      name: `each continuing prompt repeats ≥ ${pct(PREFIX_REPEAT_GOAL)} of the previous one (${path}, plain continue)`,
      ok: worst >= PREFIX_REPEAT_GOAL,
      detail: rows
        .map(
          (s) =>
            `${s.turns} turns: min ${pct(s.prefixRepeat?.min)}, mean ${pct(s.prefixRepeat?.mean)}`,
        )
        .join("; "),
    });
  }
  const rssPhases = phases.filter((p) => p.concurrency === top && p.kind === "stream");
  const runtimePeak = Math.max(0, ...rssPhases.map((p) => p.rss.runtime?.main ?? 0));
  checks.push({
    name: `runtime RSS ≤ 150 MiB at ${top} concurrent streams`,
    ok: top >= 100 ? runtimePeak <= 150 * 1024 ** 2 : null,
    detail: `${mib(runtimePeak)} MiB peak (${rssPhases
      .filter((p) => p.path !== "a")
      .map((p) => `${p.path}: ${mib(p.rss.runtime?.main ?? 0)}`)
      .join(", ")})${top >= 100 ? "" : " (100 streams not run: --quick)"}`,
  });
  for (const row of toolHeavy) {
    // "About one call's time": under two calls' time, far from the serial figure.
    const limit = 2 * row.jiraDelayMs;
    checks.push({
      name: `${row.calls} Jira reads in one step take < ${limit} ms p50 (${row.path}; one read ${row.jiraDelayMs} ms, serial ${row.calls * row.jiraDelayMs} ms)`,
      ok: row.errors === 0 && row.jiraRequestsEach === row.calls && row.toolStepMs.p50 < limit,
      detail: `${ms(row.toolStepMs.p50)} ms p50, ${ms(row.toolStepMs.p99)} ms p99 = ${x(ratio(row.toolStepMs.p50, row.calls * row.jiraDelayMs))} of serial; ${row.jiraRequestsEach} Jira requests each, ${row.errors} errors`,
    });
  }
  if (knowledgeSearch) {
    checks.push({
      name: `knowledge search p50 < ${KNOWLEDGE_SEARCH_GOAL_MS} ms over ${knowledgeSearch.chunks} chunks (hybrid)`,
      ok: knowledgeSearch.hybridMs.p50 < KNOWLEDGE_SEARCH_GOAL_MS,
      detail: `${ms(knowledgeSearch.hybridMs.p50)} ms p50, ${ms(knowledgeSearch.hybridMs.p99)} ms p99; keyword only ${ms(knowledgeSearch.keywordMs.p50)} ms p50`,
    });
  }
  return checks;
}

/** What search_knowledge's own work may take, before the query's embedding round trip. */
const KNOWLEDGE_SEARCH_GOAL_MS = 5;

/** The same growth on path a, which forwards the history without a session: the floor. */
function floorNote(sessions: readonly SessionResult[], path: PathName): string {
  const one = sessions.find((s) => s.path === "a" && s.turns === 1);
  const long = sessions.find((s) => s.path === "a" && s.turns === 1000);
  const mine = sessions.find((s) => s.path === path && s.turns === 1000);
  if (!one || !long || !mine || path !== "b") return "";
  return `; a (no session, same history): ${x(ratio(long.totalMs.p50, one.totalMs.p50))}, b/a at 1000 turns ${x(ratio(mine.totalMs.p50, long.totalMs.p50))}`;
}

export function render(report: BenchReport): string {
  const out: string[] = [];
  const { settings, machine: m } = report;
  out.push(
    `AgentLLM benchmark — ${report.date} — ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}`,
    `fake model: ${settings.tokens} tokens, ${settings.delayMs} ms apart, first after ${settings.firstDelayMs} ms${settings.quick ? " (quick run)" : ""}; runtime: ${settings.runtime}${settings.runtimeNodeOptions ? `; runtime NODE_OPTIONS=${settings.runtimeNodeOptions}` : ""}`,
    "",
  );
  if (settings.scaleOnly) {
    if (report.scale) out.push(...renderScale(report.scale), "");
    out.push(`total ${(report.durationMs / 1000).toFixed(0)} s`);
    return out.join("\n");
  }
  const rows = report.phases.map((p) => [
    `${PATH_LABELS[p.path]}${p.kind === "tool" ? " +tool" : ""}`,
    String(p.concurrency),
    String(p.requests),
    ms(p.ttftMs.p50),
    ms(p.ttftMs.p99),
    ms(p.totalMs.p50),
    ms(p.totalMs.p99),
    p.requestsPerSecond.toFixed(1),
    ms(p.gapMs.p50),
    ms(p.gapMs.p99),
    ms(p.toModelMs.p50),
    String(p.errors),
  ]);
  out.push(
    table(
      [
        "path",
        "conc",
        "n",
        "TTFT p50",
        "TTFT p99",
        "total p50",
        "total p99",
        "req/s",
        "gap p50",
        "gap p99",
        "to-model p50",
        "errors",
      ],
      rows,
    ),
    "(milliseconds; gap = the fake model writes a token → the client reads it; to-model = the client sends → the fake receives the model call)",
    `one process hop on this machine: a loopback HTTP round trip to another Node process idle ${settings.delayMs} ms takes ${ms(report.hopFloorMs.p50)} ms p50, ${ms(report.hopFloorMs.p99)} ms p99 (b has one hop more than a)`,
    "",
  );
  const errors = report.phases.flatMap((p) =>
    p.errorSamples.map((e) => `  ${p.path}@${p.concurrency}: ${e}`),
  );
  if (errors.length > 0) out.push("error samples:", ...errors.slice(0, 10), "");

  const rssRows = report.phases
    .filter((p) => p.kind === "stream")
    .map((p) => [
      PATH_LABELS[p.path],
      String(p.concurrency),
      mib(p.rss.runtime?.main ?? 0),
      mib(p.rss.runtime?.group ?? 0),
      mib(p.rss.litellm?.main ?? 0),
      mib(p.rss.litellm?.group ?? 0),
    ]);
  rssRows.unshift([
    "after start (idle)",
    "-",
    mib(report.startupRss.runtime?.main ?? 0),
    mib(report.startupRss.runtime?.group ?? 0),
    mib(report.startupRss.litellm?.main ?? 0),
    mib(report.startupRss.litellm?.group ?? 0),
  ]);
  out.push(
    "peak RSS (MiB) per phase",
    table(["path", "conc", "runtime", "runtime group", "LiteLLM", "LiteLLM group"], rssRows),
    "(group = the service's whole process group, e.g. LiteLLM workers if it forks any)",
    "",
  );

  const sessionRows = report.sessions.map((s) => [
    PATH_LABELS[s.path],
    String(s.turns),
    String(s.requests),
    ms(s.ttftMs.p50),
    ms(s.ttftMs.p99),
    ms(s.totalMs.p50),
    ms(s.totalMs.p99),
    ms(s.toModelMs.p50),
    ms(s.modelMs.p50),
    String(s.errors),
    s.continued === null ? "n/a" : s.continued ? "yes" : "NO",
    s.prefixRepeat ? `${pct(s.prefixRepeat.min)} / ${pct(s.prefixRepeat.mean)}` : "-",
  ]);
  out.push(
    "per-request time by session length (sequential; each request sends the full history; 5-token answer, no model delay)",
    table(
      [
        "path",
        "turns",
        "n",
        "TTFT p50",
        "TTFT p99",
        "total p50",
        "total p99",
        "to-model p50",
        "fake model p50",
        "errors",
        "continued",
        "prefix repeat min / mean",
      ],
      sessionRows,
    ),
    "(prefix repeat: of each request after the first, the share of its prompt, in the fake's token estimate, that repeats the previous request's start byte for byte: what Gemini's implicit cache can serve)",
    "",
  );

  const heavy = report.toolHeavy ?? [];
  if (heavy.length > 0) {
    const heavyRows = heavy.map((row) => [
      PATH_LABELS[row.path],
      String(row.requests),
      ms(row.toolStepMs.p50),
      ms(row.toolStepMs.p99),
      String(row.jiraDelayMs),
      String(row.calls * row.jiraDelayMs),
      x(ratio(row.toolStepMs.p50, row.calls * row.jiraDelayMs)),
      ms(row.totalMs.p50),
      String(row.jiraRequestsEach),
      String(row.errors),
    ]);
    const first = heavy[0] as ToolHeavyResult;
    out.push(
      `tool-heavy step: the model asks for ${first.calls} Jira reads at once, the fake Jira answers each after ${first.jiraDelayMs} ms (sequential requests)`,
      table(
        [
          "path",
          "n",
          "step p50",
          "step p99",
          "one call",
          "serial",
          "step/serial",
          "total p50",
          "Jira reqs",
          "errors",
        ],
        heavyRows,
      ),
      "(milliseconds; step = the model's function-call turn written → the model's next call received: runtime, tools, back)",
      "",
    );
  }

  const search = report.knowledgeSearch;
  if (search) {
    out.push(
      `knowledge search: one agent's index of ${search.chunks} chunks (SQLite FTS5 bm25 + cosine over 768-dim vectors, fused), in process, ${search.searches} searches each`,
      table(
        ["ranking", "p50", "p99", "max"],
        [
          ["hybrid", ms(search.hybridMs.p50), ms(search.hybridMs.p99), ms(search.hybridMs.max)],
          ["keyword", ms(search.keywordMs.p50), ms(search.keywordMs.p99), ms(search.keywordMs.max)],
        ],
      ),
      "(milliseconds; the query's embedding call to Gemini comes on top of hybrid)",
      "",
    );
  }

  if (report.scale) out.push(...renderScale(report.scale), "");

  const ratioRows: string[][] = [];
  for (const c of settings.concurrency) {
    const a = find(report.phases, "a", c);
    const b = find(report.phases, "b", c);
    const cc = find(report.phases, "c", c);
    if (!a || !b || !cc) continue;
    ratioRows.push([
      String(c),
      x(ratio(b.ttftMs.p50, a.ttftMs.p50)),
      x(ratio(b.ttftMs.p99, a.ttftMs.p99)),
      x(ratio(cc.ttftMs.p50, a.ttftMs.p50)),
      x(ratio(cc.ttftMs.p99, a.ttftMs.p99)),
      x(ratio(b.requestsPerSecond, a.requestsPerSecond)),
      x(ratio(cc.requestsPerSecond, a.requestsPerSecond)),
    ]);
  }
  out.push(
    "ratios (vs a, LiteLLM's own Gemini provider)",
    table(
      [
        "conc",
        "TTFT p50 b/a",
        "TTFT p99 b/a",
        "TTFT p50 c/a",
        "TTFT p99 c/a",
        "req/s b/a",
        "req/s c/a",
      ],
      ratioRows,
      0,
    ),
    "",
    "targets",
    ...report.targets.map(
      (t) => `  ${t.ok === null ? "–" : t.ok ? "✓" : "✗"} ${t.name}: ${t.detail}`,
    ),
    "",
    `total ${(report.durationMs / 1000).toFixed(0)} s`,
  );
  return out.join("\n");
}
