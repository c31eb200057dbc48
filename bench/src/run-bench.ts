import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { paths as repoPaths, repoRoot, startStack } from "@agentllm/stack";
import { startBenchGemini } from "./fake-gemini.ts";
import type { ModelTimes, PromptRepeat } from "./fake-gemini-worker.ts";
import { type PromptKind, promptTag, SHORT_TOKENS } from "./fake-model.ts";
import { measureHopFloor } from "./hop-floor.ts";
import { runKnowledgeSearch } from "./knowledge-search.ts";
import { now, type RequestResult, runClosedLoop, streamChat } from "./load.ts";
import { type Plan, parseBenchArgs, usage } from "./options.ts";
import { type BenchPath, benchPaths, PATH_LABELS, type PathName } from "./paths.ts";
import { summarizeProfiles } from "./profile.ts";
import { progressBar } from "./progress.ts";
import {
  type BenchReport,
  checkTargets,
  machine,
  type PhaseResult,
  render,
  type SessionResult,
} from "./report.ts";
import { sampleRss } from "./rss.ts";
import { runScale } from "./scale.ts";
import type { ScaleSection } from "./scale-report.ts";
import { branchLength, continueSession, seededHistory, seedSession } from "./sessions.ts";
import { summarize } from "./stats.ts";
import {
  JIRA_AGENT,
  JIRA_AGENT_DIR,
  runToolHeavy,
  startBenchJira,
  type ToolHeavyResult,
} from "./tool-heavy.ts";

/**
 * proxy_config.yaml with the gemini-2.5-flash entry pointed at the fake (path a), and an entry
 * for the bench's Jira agent (the tool-heavy row).
 */
async function writeProxyConfig(dir: string, geminiUrl: string): Promise<string> {
  const original = await readFile(repoPaths.proxyConfig, "utf8");
  const line = "      model: gemini/gemini-2.5-flash\n";
  if (!original.includes(line))
    throw new Error("proxy_config.yaml has no gemini/gemini-2.5-flash entry");
  // LiteLLM's Gemini provider builds `${api_base}/models/${model}:streamGenerateContent?alt=sse`.
  const jiraEntry = `  - model_name: agno/${JIRA_AGENT}\n    litellm_params:\n      model: agno/${JIRA_AGENT}\n      custom_llm_provider: agno\n      num_retries: 0\n      cooldown_time: 0\n`;
  const config = original
    .replace(line, `${line}      api_base: ${geminiUrl}/v1beta\n`)
    .replace("model_list:\n", `model_list:\n${jiraEntry}`);
  const file = path.join(dir, "proxy_config.yaml");
  await writeFile(file, config);
  return file;
}

function requestBody(model: string, id: string, kind: PromptKind) {
  const text =
    kind === "tool"
      ? `What is my favorite color? ${promptTag(id, kind)}`
      : `Tell me something. ${promptTag(id, kind)}`;
  return { model, stream: true, messages: [{ role: "user", content: text }] };
}

function gaps(results: readonly RequestResult[], emits: Record<string, ModelTimes>): number[] {
  const out: number[] = [];
  for (const result of results) {
    if (!result.ok) continue;
    const emitted = emits[result.id]?.emittedAt;
    if (!emitted) continue;
    const n = Math.min(emitted.length, result.tokenReceivedAt.length);
    for (let k = 0; k < n; k++)
      out.push((result.tokenReceivedAt[k] as number) - (emitted[k] as number));
  }
  return out;
}

/** Client start → the fake receives the (first) model call: the path's work before the model. */
function toModel(results: readonly RequestResult[], emits: Record<string, ModelTimes>): number[] {
  return results.flatMap((r) => {
    const times = emits[r.id];
    return r.ok && times ? [times.receivedAt - r.startedAt] : [];
  });
}

/** The fake's last event → the client's end of stream: the path's work after the model. */
function afterModel(
  results: readonly RequestResult[],
  emits: Record<string, ModelTimes>,
): number[] {
  return results.flatMap((r) => {
    const last = emits[r.id]?.emittedAt.at(-1);
    return r.ok && last !== undefined ? [r.startedAt + r.totalMs - last] : [];
  });
}

/** The scale section on its own fake Gemini (see scale.ts); progress lines on stdout. */
async function scaleSection(options: Plan, stamp: string): Promise<ScaleSection | undefined> {
  if (!options.scale) return undefined;
  const gemini = await startBenchGemini(options.settings);
  try {
    return await runScale(
      options.scale,
      options.settings,
      gemini,
      (text) => process.stdout.write(`[bench] ${text}\n`),
      (setup) => path.join(repoRoot, "bench/results", `${stamp}-scale-${setup}.log`),
    );
  } finally {
    await gemini.close();
  }
}

async function writeReport(report: BenchReport, stamp: string): Promise<string> {
  const resultsDir = path.join(repoRoot, "bench/results");
  const mode = report.settings.scaleOnly ? "-scale" : report.settings.quick ? "-quick" : "";
  const file = path.join(resultsDir, `${stamp}${mode}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

async function main(): Promise<void> {
  const started = now();
  const parsed = parseBenchArgs(process.argv.slice(2));
  if (parsed === "help") {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const options = parsed;
  const { settings } = options;
  const resultsDir = path.join(repoRoot, "bench/results");
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  await mkdir(resultsDir, { recursive: true });
  if (options.scaleOnly) {
    const scale = await scaleSection(options, stamp);
    const report: BenchReport = {
      date: new Date().toISOString(),
      machine: machine(),
      settings,
      phases: [],
      sessions: [],
      ...(scale ? { scale } : {}),
      startupRss: {},
      hopFloorMs: summarize([]),
      targets: [],
      durationMs: now() - started,
    };
    const file = await writeReport(report, stamp);
    process.stdout.write(`${render(report)}\nJSON: ${path.relative(process.cwd(), file)}\n`);
    return;
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), "agentllm-bench-"));
  const dataDir = path.join(tmp, "data");
  const profileDir = path.join(resultsDir, `profile-${stamp}`);

  const total =
    settings.concurrency.reduce((sum, c) => sum + 3 * (options.requests[c] ?? 0), 0) +
    options.toolConcurrency.reduce((sum, c) => sum + 2 * (options.toolRequests[c] ?? 0), 0) +
    3 * settings.sessionTurns.length * options.sessionRequests +
    2 * (options.jiraRequests + 1) +
    3 * (options.warmup + options.jitWarmup);
  const progress = progressBar(total);
  // Before anything else runs, so it measures the machine, not our load.
  progress.phase("measuring one idle process hop on this machine");
  const hopFloorMs = await measureHopFloor(settings.delayMs);
  progress.phase("starting the fake Gemini, the runtime and LiteLLM");
  const gemini = await startBenchGemini(settings);
  const benchJira = await startBenchJira().catch(async (error: unknown) => {
    await gemini.close();
    throw error;
  });
  const stack = await startStack({
    runtime: settings.runtime,
    geminiApiKey: "bench-key-for-the-fake-gemini",
    geminiBaseUrl: gemini.url,
    dataDir,
    proxyConfig: await writeProxyConfig(tmp, gemini.url),
    env: {
      ...process.env,
      NODE_OPTIONS: [
        settings.runtimeNodeOptions,
        options.profile
          ? `--import ${new URL("./cpu-profile-hook.mjs", import.meta.url).href}`
          : "",
      ]
        .filter(Boolean)
        .join(" "),
      ...(options.profile ? { BENCH_CPU_PROFILE_DIR: profileDir } : {}),
      AGENTLLM_AGENT_DIRS: JIRA_AGENT_DIR,
    },
  }).catch(async (error: unknown) => {
    await benchJira.close();
    await gemini.close();
    throw error;
  });
  const rss = sampleRss({
    runtime: stack.runtime.process.pid ?? 0,
    litellm: stack.proxy.process.pid ?? 0,
  });
  const phases: PhaseResult[] = [];
  const sessions: SessionResult[] = [];
  const toolHeavy: ToolHeavyResult[] = [];
  let startupRss: BenchReport["startupRss"] = {};
  try {
    const all = benchPaths(stack);
    const order: PathName[] = ["a", "b", "c"];
    startupRss = rss.peaks();

    // Warm-up requests on one path, all of which must succeed (the path works at all).
    const warmUp = async (name: PathName, count: number, kind: PromptKind, tokens: number) => {
      const run = await runClosedLoop(
        count,
        Math.min(4, count),
        (i) => {
          const id = `warm-${kind}-${name}-${i}`;
          return streamChat(
            all[name].target(id),
            requestBody(all[name].model, id, kind),
            id,
            tokens,
          );
        },
        () => progress.tick(),
      );
      const failed = run.results.find((r) => !r.ok);
      if (failed) throw new Error(`path ${name} does not work: ${failed.error}`);
    };
    // Warm-up: connections, pools, JIT; also checks that path a really reaches the fake.
    for (const name of order) {
      progress.phase(`warm-up ${PATH_LABELS[name]}`);
      await warmUp(name, options.warmup, "stream", settings.tokens);
      // A server that has answered a few hundred requests: V8 has optimised its hot paths (the
      // runtime's first dozens of requests run in the interpreter, a few ms slower each) and
      // every pool and cache is filled. Short answers, so this takes seconds.
      await warmUp(name, options.jitWarmup, "short", SHORT_TOKENS);
    }
    const seen = await gemini.collect();
    if (!seen.paths.some((p) => p === "/v1beta/models/gemini-2.5-flash:streamGenerateContent")) {
      throw new Error(`the fake saw no LiteLLM Gemini call (paths: ${seen.paths.join(", ")})`);
    }

    if (options.profile) stack.runtime.process.kill("SIGUSR2"); // start the CPU profile now
    let seq = 0;
    const runPhase = async (
      p: BenchPath,
      kind: "stream" | "tool",
      concurrency: number,
      requests: number,
    ) => {
      progress.phase(
        `${PATH_LABELS[p.name]}${kind === "tool" ? " +tool" : ""} at ${concurrency} streams`,
      );
      await gemini.collect(); // clear
      rss.reset();
      const run = await runClosedLoop(
        requests,
        concurrency,
        (i) => {
          const id = `${p.name}-${kind}-${concurrency}-${seq}-${i}`;
          return streamChat(p.target(id), requestBody(p.model, id, kind), id, settings.tokens);
        },
        () => progress.tick(),
      );
      seq++;
      const peaks = rss.peaks();
      const { emits } = await gemini.collect();
      const ok = run.results.filter((r) => r.ok);
      const failed = run.results.filter((r) => !r.ok);
      phases.push({
        path: p.name,
        kind,
        concurrency,
        requests,
        errors: failed.length,
        errorSamples: [...new Set(failed.map((r) => r.error ?? "?"))].slice(0, 3),
        ttftMs: summarize(ok.map((r) => r.ttftMs)),
        totalMs: summarize(ok.map((r) => r.totalMs)),
        requestsPerSecond: ok.length / (run.wallMs / 1000),
        gapMs: summarize(gaps(ok, emits)),
        toModelMs: summarize(toModel(ok, emits)),
        afterModelMs: summarize(afterModel(ok, emits)),
        wallMs: run.wallMs,
        rss: peaks,
      });
    };

    for (const concurrency of settings.concurrency) {
      for (const name of order) {
        await runPhase(all[name], "stream", concurrency, options.requests[concurrency] ?? 0);
      }
    }
    for (const concurrency of options.toolConcurrency) {
      for (const name of ["b", "c"] as const) {
        await runPhase(all[name], "tool", concurrency, options.toolRequests[concurrency] ?? 0);
      }
    }

    // The tool-heavy row: five Jira reads in one step, each answered after 200 ms.
    if (options.jiraRequests > 0)
      progress.phase("tool-heavy step: connecting the bench user's Jira");
    if (options.jiraRequests > 0) await benchJira.connect(all.c);
    for (const name of options.jiraRequests > 0 ? (["b", "c"] as const) : []) {
      progress.phase(`${PATH_LABELS[name]}: tool-heavy step (five Jira reads at once)`);
      const collect = () => gemini.collect();
      // One request first, not counted: the agent's first use loads its toolkit's code paths.
      await runToolHeavy(all[name], 1, benchJira.jira, collect, () => progress.tick());
      toolHeavy.push(
        await runToolHeavy(all[name], options.jiraRequests, benchJira.jira, collect, () =>
          progress.tick(),
        ),
      );
    }

    for (const turns of settings.sessionTurns) {
      for (const name of order) {
        progress.phase(`${PATH_LABELS[name]}: session of ${turns} turns`);
        const sessionId = `len-${name}-${turns}`;
        const seedStart = now();
        // Path a has no session: it gets the same history and LiteLLM forwards all of it.
        const history =
          name === "a" ? seededHistory(turns) : await seedSession(dataDir, sessionId, turns);
        const seedMs = now() - seedStart;
        const results = await continueSession(
          all[name],
          sessionId,
          history,
          options.sessionRequests,
          SHORT_TOKENS,
          () => progress.tick(),
        );
        const ok = results.filter((r) => r.ok);
        const failed = results.filter((r) => !r.ok);
        const { emits, prompts } = await gemini.collect();
        sessions.push({
          path: name,
          turns,
          prefixRepeat: prefixRepeat(results.slice(1), prompts),
          requests: results.length,
          errors: failed.length,
          errorSamples: [...new Set(failed.map((r) => r.error ?? "?"))].slice(0, 3),
          ttftMs: summarize(ok.map((r) => r.ttftMs)),
          totalMs: summarize(ok.map((r) => r.totalMs)),
          toModelMs: summarize(toModel(ok, emits)),
          modelMs: summarize(
            ok.flatMap((r) => {
              const times = emits[r.id];
              const last = times?.emittedAt.at(-1);
              return times && last !== undefined ? [last - times.receivedAt] : [];
            }),
          ),
          continued:
            name === "a"
              ? null
              : await branchReaches(dataDir, sessionId, turns + options.sessionRequests),
          seedMs,
        });
      }
    }
    progress.done();
  } finally {
    rss.stop();
    await stack.close();
    await benchJira.close();
    await gemini.close();
    await rm(tmp, { recursive: true, force: true });
  }

  // In process, after the stack is gone: the index's own time, on an idle machine.
  process.stdout.write("knowledge search: 1000 chunks\n");
  const knowledgeSearch = await runKnowledgeSearch(settings.quick ? 500 : 2000);
  // Last, on processes of its own: the rows above are measured before it and unchanged by it.
  const scale = await scaleSection(options, stamp);

  const report: BenchReport = {
    date: new Date().toISOString(),
    machine: machine(),
    settings,
    phases,
    sessions,
    toolHeavy,
    knowledgeSearch,
    ...(scale ? { scale } : {}),
    startupRss,
    hopFloorMs,
    targets: checkTargets(settings, phases, sessions, hopFloorMs, toolHeavy, knowledgeSearch),
    durationMs: now() - started,
  };
  const file = await writeReport(report, stamp);
  process.stdout.write(`${render(report)}\nJSON: ${path.relative(process.cwd(), file)}\n`);
  if (options.profile) process.stdout.write(`\n${await summarizeProfiles(profileDir)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`\nbench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);

/**
 * Of each continuing request (every one after the first of a session phase: the fake saw the
 * request before it), the share of its prompt that repeats the start of the previous one.
 */
function prefixRepeat(
  continuing: readonly { id: string; ok: boolean }[],
  prompts: Readonly<Record<string, PromptRepeat>>,
): SessionResult["prefixRepeat"] {
  const shares = continuing.flatMap((result) => {
    const prompt = result.ok ? prompts[result.id] : undefined;
    return prompt && prompt.promptTokens > 0 ? [prompt.repeatTokens / prompt.promptTokens] : [];
  });
  return {
    requests: shares.length,
    min: shares.length > 0 ? Math.min(...shares) : Number.NaN,
    mean:
      shares.length > 0
        ? shares.reduce((sum, share) => sum + share, 0) / shares.length
        : Number.NaN,
  };
}

/**
 * Whether the session's branch reaches `length` turns. A stream ends before its turn is written
 * (the session lock orders the next request behind the write), so the last write may still be
 * under way when the last answer has arrived: give it a moment.
 */
async function branchReaches(dataDir: string, sessionId: string, length: number): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    if ((await branchLength(dataDir, sessionId)) === length) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
