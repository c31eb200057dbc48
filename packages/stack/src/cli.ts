import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startFakeGemini } from "@agentllm/testkit";
import { type DemoFakes, startDemoFakes } from "./demo-fakes.ts";
import { repoRoot } from "./repo-paths.ts";
import {
  DEFAULT_MASTER_KEY,
  type RunningStack,
  type RuntimeForm,
  randomFernetKey,
  startStack,
  stopGraceMs,
} from "./start-stack.ts";
import { stopOnSignal } from "./stop-on-signal.ts";

/**
 * `stack proxy`: the real stack on Gemini (needs GEMINI_API_KEY), with the compiled runtime
 * (`npx just build` first; `just proxy` does).
 * `stack demo`: the same stack on the testkit's fake Gemini, with throwaway keys and data,
 * with the runtime run from its TypeScript sources (nothing to build), and the fake Jira, Google
 * OAuth and Drive the Jira and Drive agents use.
 * `--runtime source|compiled` picks the other form. Both run in the foreground and stop
 * everything on Ctrl-C.
 */
const USAGE = "usage: stack <proxy|demo> [--runtime source|compiled]";

async function main(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const { mode, runtime } = parsed;
  if (mode === "proxy") return runProxy(runtime ?? "compiled");
  if (mode === "demo") return runDemo(runtime ?? "source");
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

function parseCli(argv: string[]): { mode: string | undefined; runtime: RuntimeForm | undefined } {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { runtime: { type: "string" } },
  });
  const runtime = values.runtime;
  if (runtime !== undefined && runtime !== "source" && runtime !== "compiled") {
    throw new Error(`--runtime must be source or compiled, not '${runtime}'`);
  }
  return { mode: positionals[0], runtime };
}

const env = process.env;
const proxyPort = Number(env.AGENTLLM_PROXY_PORT || 9501);
const runtimePort = Number(env.AGENTLLM_RUNTIME_PORT || 9510);
const publicPort = Number(env.AGENTLLM_PUBLIC_PORT || 9502);

async function runProxy(runtime: RuntimeForm): Promise<void> {
  const apiKey = env.GEMINI_API_KEY || env.GOOGLE_API_KEY;
  if (!apiKey) {
    process.stderr.write(
      [
        "GEMINI_API_KEY is not set.",
        "  Put it in .env.secrets (copy .env.secrets.template) or export it, then run `npx just proxy` again.",
        "  No key? `npx just demo` runs the same stack on a fake Gemini and needs no configuration.",
        "",
      ].join("\n"),
    );
    process.exit(1);
  }
  // Credentials stored under a key that is gone are lost: `just proxy` never makes one up.
  const encryptionKey = env.AGENTLLM_TOKEN_ENCRYPTION_KEY;
  if (!encryptionKey) {
    process.stderr.write(
      [
        "AGENTLLM_TOKEN_ENCRYPTION_KEY is not set: the key that encrypts users' credentials.",
        "  `npx just secrets` generates one into .env.secrets (`npx just secrets --add-missing` adds it to an existing file).",
        "  Keep it: credentials stored under a lost key are gone (docs/deployment-encryption.md).",
        "  No key? `npx just demo` makes a throwaway one.",
        "",
      ].join("\n"),
    );
    process.exit(1);
  }
  const stack = await startStack({
    geminiApiKey: apiKey,
    encryptionKey,
    geminiBaseUrl: env.GOOGLE_GEMINI_BASE_URL || undefined,
    dataDir: path.resolve(repoRoot, env.AGENTLLM_DATA_DIR || "tmp"),
    proxyPort,
    runtimePort,
    publicPort,
    proxyHost: env.AGENTLLM_PROXY_HOST || "127.0.0.1",
    masterKey: env.LITELLM_MASTER_KEY || undefined,
    runtimeToken: env.AGENTLLM_RUNTIME_TOKEN || undefined,
    runtime,
    onLine: printLine,
    onRuntimeGaveUp: () => exitAfter(() => stack.close()),
  });
  announce(stack, "Gemini", runtime);
  await stopOnSignal({ stop: (graceMs) => stack.close(graceMs), graceMs: stopGraceMs(env) });
}

async function runDemo(runtime: RuntimeForm): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "agentllm-demo-"));
  const gemini = await startFakeGemini({ port: Number(env.AGENTLLM_FAKE_GEMINI_PORT || 0) });
  let fakes: DemoFakes | undefined;
  let stack: RunningStack;
  try {
    fakes = await startDemoFakes();
    stack = await startStack({
      geminiApiKey: "demo-key-for-the-fake-gemini",
      geminiBaseUrl: gemini.url,
      dataDir,
      proxyPort,
      runtimePort,
      publicPort,
      // The key `just hello` sends: the default, or the one set in .env.secrets.
      masterKey: env.LITELLM_MASTER_KEY || undefined,
      // Throwaway like the data: never the operator's key from .env.secrets.
      encryptionKey: randomFernetKey(),
      // The fakes win over any real Jira or Google settings in the environment: a demo reaches
      // no real service.
      env: { ...env, ...fakes.env },
      runtime,
      onLine: printLine,
      onRuntimeGaveUp: () => exitAfter(cleanup),
    });
  } catch (error) {
    await fakes?.close();
    await gemini.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  announce(stack, `the fake Gemini at ${gemini.url}`, runtime, fakes.howToConnect);
  process.stdout.write(`Throwaway data directory: ${dataDir} (removed on exit)\n`);
  await stopOnSignal({ stop: (graceMs) => stack.close(graceMs), graceMs: stopGraceMs(env) });
  await cleanup();

  async function cleanup(): Promise<void> {
    await stack?.close();
    await fakes?.close();
    await gemini.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The runtime kept crashing and the launcher stopped restarting it: stop the rest too and exit
 * non-zero, so whoever runs `just proxy` (a terminal, systemd, compose) sees the failure.
 */
function exitAfter(cleanup: () => Promise<void>): void {
  process.stderr.write("The runtime keeps crashing; stopping the stack.\n");
  cleanup().finally(() => process.exit(1));
}

function printLine(service: "runtime" | "litellm", line: string): void {
  process.stdout.write(`[${service}] ${line}\n`);
}

function announce(
  stack: RunningStack,
  model: string,
  runtime: RuntimeForm,
  howToConnect: readonly string[] = [],
): void {
  process.stdout.write(
    [
      "",
      `AgentLLM is up on ${stack.proxyUrl} (LiteLLM proxy, agents on ${model}).`,
      `  Runtime:    ${runtime === "compiled" ? "compiled (packages/*/dist, node --conditions=production)" : "from source (node --import tsx)"}`,
      `  Master key: ${stack.masterKey === DEFAULT_MASTER_KEY ? stack.masterKey : "(from LITELLM_MASTER_KEY)"}`,
      `  Connect:    ${stack.publicUrl} (the pages agents link to when a toolkit needs your credential)`,
      ...howToConnect,
      "  Agents:     agno/demo-agent, agno/release-manager, agno/sprint-reviewer",
      "  Try it:     npx just hello",
      '              npx just hello "What is the status of release 4.4?" false agno/release-manager',
      "  Stop:       Ctrl-C (answers in flight finish first; Ctrl-C again to stop at once)",
      "",
    ].join("\n"),
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
