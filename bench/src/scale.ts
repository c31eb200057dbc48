import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startPostgresServer } from "@agentllm/runtime/testing";
import {
  assertBuildFresh,
  type ChildService,
  DEFAULT_MASTER_KEY,
  freePort,
  httpOk,
  paths,
  RUNTIME_NODE_OPTIONS,
  randomFernetKey,
  repoRoot,
  runtimeArgs,
  startChildService,
  startProxy,
} from "@agentllm/stack";
import pg from "pg";
import { type Metered, meterCpu } from "./cpu.ts";
import type { BenchGemini } from "./fake-gemini.ts";
import { promptTag, SHORT_TOKENS } from "./fake-model.ts";
import { now, runClosedLoop, type StreamTarget, streamChat } from "./load.ts";
import type { ScalePlan } from "./options.ts";
import { AGENT, BENCH_USER } from "./paths.ts";
import type { Settings } from "./report.ts";
import {
  SCALE_SETUPS,
  type ScaleResult,
  type ScaleSection,
  type ScaleSetup,
  setupLabel,
  sumCounter,
} from "./scale-report.ts";
import { summarize } from "./stats.ts";

/** How long one runtime or LiteLLM process may take to answer its probe. */
const READY_TIMEOUT_MS = 120_000;
/** Concurrency of the warm-up requests. */
const WARMUP_STREAMS = 20;
/** Past this share of failed warm-up requests the set-up counts as not working. */
const MAX_WARMUP_FAILURES = 0.05;
/** How often the connection count is read from pg_stat_activity. */
const CONNECTION_SAMPLE_MS = 250;
/** As the runtime's postgres-session-locks.ts names its lock connections. */
const LOCK_APPLICATION_NAME = "agentllm-session-lock";

interface Running {
  readonly proxies: { service: ChildService; url: string }[];
  readonly runtimes: { service: ChildService; url: string }[];
}

/**
 * The scale section: the same streamed load through the real LiteLLM proxy for each set-up of
 * SCALE_SETUPS, one after another on one fake Gemini and one Postgres cluster (a fresh database
 * per set-up), so the set-ups differ only in their process counts.
 *
 * "2 LiteLLM" is two proxy processes, each the product's own `agentllm_bridge.serve` (one
 * uvicorn worker), with the client sending request k to process k mod 2: what two proxy
 * replicas behind a load balancer get. `serve.py` runs uvicorn itself with one worker and does
 * not pass LiteLLM's `--num_workers` on, so separate processes are the only way to get two.
 */
/** `max_connections` as Postgres ships it. */
const POSTGRES_DEFAULT_MAX_CONNECTIONS = 100;

export async function runScale(
  plan: ScalePlan,
  settings: Settings,
  gemini: BenchGemini,
  onPhase: (text: string) => void,
  /** Where a set-up with failed requests leaves its processes' last output lines. */
  logFile: (setup: string) => string,
): Promise<ScaleSection> {
  if (settings.runtime === "compiled") await assertBuildFresh();
  // Postgres' own default: each runtime needs its pool plus one shared lock connection (and one
  // per request waiting for a busy chat, none here), so every set-up must fit in it.
  const postgres = await startPostgresServer({ maxConnections: POSTGRES_DEFAULT_MAX_CONNECTIONS });
  const tmp = await mkdtemp(path.join(os.tmpdir(), "agentllm-bench-scale-"));
  const results: ScaleResult[] = [];
  try {
    for (const setup of SCALE_SETUPS) {
      onPhase(`scale: starting ${setupLabel(setup)}`);
      const databaseUrl = await postgres.createDatabase();
      let running: Running | undefined;
      try {
        running = await startSetup(setup, settings, gemini.url, databaseUrl, tmp);
      } catch (error) {
        results.push(skipped(setup, plan, (error as Error).message));
        continue;
      }
      try {
        const result = await measure(
          setup,
          running,
          plan,
          settings,
          databaseUrl,
          {
            postgres: { pid: postgres.pid },
            "fake Gemini": { pid: process.pid, tid: gemini.tid },
            "bench client": { pid: process.pid, tid: process.pid },
          },
          onPhase,
        );
        if (result.skipped !== undefined || result.errorSamples.length > 0) {
          const file = logFile(`${setup.litellm}x${setup.runtimes}`);
          await writeFile(file, processOutput(running));
          onPhase(`scale: ${setupLabel(setup)} had failed requests; process output in ${file}`);
        }
        results.push(result);
      } finally {
        await Promise.all([
          ...running.proxies.map((p) => p.service.stop()),
          ...running.runtimes.map((r) => r.service.stop()),
        ]);
      }
    }
  } finally {
    await postgres.stop();
    await rm(tmp, { recursive: true, force: true });
  }
  return {
    concurrency: plan.concurrency,
    requestsPerSetup: plan.requests,
    maxSeconds: plan.maxSeconds,
    tokens: settings.tokens,
    results,
  };
}

async function startSetup(
  setup: ScaleSetup,
  settings: Settings,
  geminiUrl: string,
  databaseUrl: string,
  tmp: string,
): Promise<Running> {
  const runtimeToken = randomBytes(24).toString("base64url");
  const encryptionKey = randomFernetKey();
  const running: Running = { proxies: [], runtimes: [] };
  try {
    // One after another: the first one runs the migrations, the next finds them done.
    for (let i = 0; i < setup.runtimes; i++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const service = startChildService({
        name: `runtime ${i + 1}`,
        command: process.execPath,
        args: runtimeArgs(settings.runtime),
        cwd: repoRoot,
        env: {
          ...process.env,
          NODE_OPTIONS: [RUNTIME_NODE_OPTIONS, settings.runtimeNodeOptions]
            .filter(Boolean)
            .join(" "),
          AGENTLLM_RUNTIME_HOST: "127.0.0.1",
          AGENTLLM_RUNTIME_PORT: String(port),
          AGENTLLM_PUBLIC_PORT: String(await freePort()),
          AGENTLLM_RUNTIME_TOKEN: runtimeToken,
          AGENTLLM_TOKEN_ENCRYPTION_KEY: encryptionKey,
          // Each runtime its own directory, as on its own machine; what they share is Postgres.
          AGENTLLM_DATA_DIR: path.join(tmp, `${setup.litellm}-${setup.runtimes}-runtime-${i + 1}`),
          DATABASE_URL: databaseUrl,
          GEMINI_API_KEY: "bench-key-for-the-fake-gemini",
          GOOGLE_GEMINI_BASE_URL: geminiUrl,
        },
      });
      running.runtimes.push({ service, url });
      await service.waitUntil(httpOk(`${url}/readyz`), READY_TIMEOUT_MS);
    }
    const runtimeUrl = running.runtimes.map((r) => r.url).join(",");
    for (let i = 0; i < setup.litellm; i++) {
      const port = await freePort();
      const service = startProxy({
        runtimeUrl,
        runtimeToken,
        masterKey: DEFAULT_MASTER_KEY,
        geminiApiKey: "bench-key-for-the-fake-gemini",
        port,
        proxyConfig: paths.proxyConfig,
        env: process.env,
      });
      running.proxies.push({ service, url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(
      running.proxies.map((p) =>
        p.service.waitUntil(httpOk(`${p.url}/health/liveliness`), READY_TIMEOUT_MS),
      ),
    );
    return running;
  } catch (error) {
    await Promise.all([
      ...running.proxies.map((p) => p.service.stop()),
      ...running.runtimes.map((r) => r.service.stop()),
    ]);
    throw error;
  }
}

/** The last lines each process of a set-up printed. */
function processOutput(running: Running): string {
  return [...running.proxies, ...running.runtimes]
    .map((p) => `=== ${p.service.name} ${p.url}\n${p.service.output()}\n`)
    .join("\n");
}

function target(running: Running, index: number, chatId: string): StreamTarget {
  const proxy = running.proxies[index % running.proxies.length] as Running["proxies"][number];
  return {
    url: `${proxy.url}/v1/chat/completions`,
    headers: {
      authorization: `Bearer ${DEFAULT_MASTER_KEY}`,
      "x-openwebui-user-id": BENCH_USER,
      "x-openwebui-chat-id": chatId,
    },
  };
}

function body(id: string, kind: "stream" | "short") {
  return {
    model: `agno/${AGENT}`,
    stream: true,
    messages: [{ role: "user", content: `Tell me something. ${promptTag(id, kind)}` }],
  };
}

/** Each runtime's request count so far (its Prometheus counter on the internal port). */
async function runtimeCounts(running: Running): Promise<number[]> {
  return Promise.all(
    running.runtimes.map(async (r) => {
      const res = await fetch(`${r.url}/metrics`);
      if (!res.ok) throw new Error(`${r.service.name} /metrics: HTTP ${res.status}`);
      return sumCounter(await res.text(), "agentllm_requests_total");
    }),
  );
}

async function measure(
  setup: ScaleSetup,
  running: Running,
  plan: ScalePlan,
  settings: Settings,
  databaseUrl: string,
  shared: Record<string, Metered>,
  onPhase: (text: string) => void,
): Promise<ScaleResult> {
  const label = setupLabel(setup);
  const tag = `${setup.litellm}x${setup.runtimes}`;
  onPhase(`scale: warming up ${label}`);
  const warm = await runClosedLoop(
    plan.warmup,
    WARMUP_STREAMS,
    (i) => {
      const id = `scale-warm-${tag}-${i}`;
      return streamChat(target(running, i, id), body(id, "short"), id, SHORT_TOKENS);
    },
    () => {},
  );
  // A stray failure (a connection reset on a loaded machine) is reported, not fatal; many mean
  // the set-up does not work.
  const warmFailed = warm.results.filter((r) => !r.ok);
  if (warmFailed.length > warm.results.length * MAX_WARMUP_FAILURES) {
    return skipped(
      setup,
      plan,
      `${warmFailed.length} of ${warm.results.length} warm-up requests failed: ${warmFailed[0]?.error}`,
    );
  }

  onPhase(`scale: ${label} at ${plan.concurrency} streams`);
  const before = await runtimeCounts(running);
  const targets: Record<string, Metered> = { ...shared };
  running.proxies.forEach((p, i) => {
    targets[`LiteLLM ${i + 1}`] = { pid: p.service.process.pid ?? 0 };
  });
  running.runtimes.forEach((r, i) => {
    targets[`runtime ${i + 1}`] = { pid: r.service.process.pid ?? 0 };
  });
  const connections = await sampleConnections(databaseUrl);
  const meter = meterCpu(targets, os.availableParallelism());
  const run = await runClosedLoop(
    plan.requests,
    plan.concurrency,
    (i) => {
      const id = `scale-${tag}-${i}`;
      return streamChat(target(running, i, id), body(id, "stream"), id, settings.tokens);
    },
    () => {},
    now() + plan.maxSeconds * 1000,
  );
  const cpu = meter.stop();
  const postgresConnections = await connections.stop();
  const after = await runtimeCounts(running);
  const ok = run.results.filter((r) => r.ok);
  const bad = run.results.filter((r) => !r.ok);
  const tokens = ok.reduce((sum, r) => sum + r.tokenReceivedAt.length, 0);
  return {
    ...setup,
    concurrency: plan.concurrency,
    requests: run.results.length,
    errors: bad.length,
    errorSamples: [
      ...new Set(bad.map((r) => r.error ?? "?")),
      ...new Set(warmFailed.map((r) => `warm-up: ${r.error ?? "?"}`)),
    ].slice(0, 3),
    ttftMs: summarize(ok.map((r) => r.ttftMs)),
    totalMs: summarize(ok.map((r) => r.totalMs)),
    answersPerSecond: ok.length / (run.wallMs / 1000),
    tokensPerSecond: tokens / (run.wallMs / 1000),
    wallMs: run.wallMs,
    perRuntime: after.map((count, i) => count - (before[i] ?? 0)),
    postgresConnections,
    cpu,
  };
}

/**
 * Peak client connections to the cluster while the phase runs, and of them the session-lock
 * connections, read from pg_stat_activity (the sampler's own connection left out).
 */
async function sampleConnections(
  databaseUrl: string,
): Promise<{ stop(): Promise<ScaleResult["postgresConnections"]> }> {
  const client = new pg.Client(databaseUrl);
  await client.connect();
  const peak = { all: 0, lock: 0 };
  const read = async () => {
    const { rows } = await client.query<{ all: string; lock: string }>(
      `select count(*) filter (where backend_type = 'client backend' and pid <> pg_backend_pid()) as all,
              count(*) filter (where application_name = $1) as lock
         from pg_stat_activity`,
      [LOCK_APPLICATION_NAME],
    );
    const row = rows[0];
    peak.all = Math.max(peak.all, Number(row?.all ?? 0));
    peak.lock = Math.max(peak.lock, Number(row?.lock ?? 0));
  };
  let reading = read();
  const timer = setInterval(() => {
    reading = reading.then(read, read);
  }, CONNECTION_SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      await reading.catch(() => undefined);
      await client.end();
      return { peak: peak.all, peakLock: peak.lock };
    },
  };
}

function skipped(setup: ScaleSetup, plan: ScalePlan, reason: string): ScaleResult {
  const none = summarize([]);
  return {
    ...setup,
    skipped: reason.slice(0, 500),
    concurrency: plan.concurrency,
    requests: 0,
    errors: 0,
    errorSamples: [],
    ttftMs: none,
    totalMs: none,
    answersPerSecond: Number.NaN,
    tokensPerSecond: Number.NaN,
    wallMs: 0,
    perRuntime: [],
    postgresConnections: { peak: 0, peakLock: 0 },
    cpu: { seconds: {}, wallSeconds: 0, machineBusy: Number.NaN, cores: os.availableParallelism() },
  };
}
