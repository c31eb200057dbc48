import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startFakeGemini } from "@agentllm/testkit";
import { repoRoot } from "./repo-paths.ts";
import { DEFAULT_MASTER_KEY, type RunningStack, startStack } from "./start-stack.ts";

/**
 * `stack proxy`: the real stack on Gemini (needs GEMINI_API_KEY).
 * `stack demo`: the same stack on the testkit's fake Gemini, with throwaway keys and data.
 * Both run in the foreground and stop everything on Ctrl-C.
 */
const USAGE = "usage: stack <proxy|demo>";

async function main(mode: string | undefined): Promise<void> {
  if (mode === "proxy") return runProxy();
  if (mode === "demo") return runDemo();
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const env = process.env;
const proxyPort = Number(env.AGENTLLM_PROXY_PORT || 9501);
const runtimePort = Number(env.AGENTLLM_RUNTIME_PORT || 9510);

async function runProxy(): Promise<void> {
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
  const stack = await startStack({
    geminiApiKey: apiKey,
    geminiBaseUrl: env.GOOGLE_GEMINI_BASE_URL || undefined,
    dataDir: path.resolve(repoRoot, env.AGENTLLM_DATA_DIR || "tmp"),
    proxyPort,
    runtimePort,
    proxyHost: env.AGENTLLM_PROXY_HOST || "127.0.0.1",
    masterKey: env.LITELLM_MASTER_KEY || undefined,
    runtimeToken: env.AGENTLLM_RUNTIME_TOKEN || undefined,
    onLine: printLine,
  });
  announce(stack, "Gemini");
  await untilSignal(() => stack.close());
}

async function runDemo(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "agentllm-demo-"));
  const gemini = await startFakeGemini({ port: Number(env.AGENTLLM_FAKE_GEMINI_PORT || 0) });
  let stack: RunningStack;
  try {
    stack = await startStack({
      geminiApiKey: "demo-key-for-the-fake-gemini",
      geminiBaseUrl: gemini.url,
      dataDir,
      proxyPort,
      runtimePort,
      onLine: printLine,
    });
  } catch (error) {
    await gemini.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  announce(stack, `the fake Gemini at ${gemini.url}`);
  process.stdout.write(`Throwaway data directory: ${dataDir} (removed on exit)\n`);
  await untilSignal(async () => {
    await stack.close();
    await gemini.close();
    await rm(dataDir, { recursive: true, force: true });
  });
}

function printLine(service: "runtime" | "litellm", line: string): void {
  process.stdout.write(`[${service}] ${line}\n`);
}

function announce(stack: RunningStack, model: string): void {
  process.stdout.write(
    [
      "",
      `AgentLLM is up on ${stack.proxyUrl} (LiteLLM proxy, agents on ${model}).`,
      `  Master key: ${stack.masterKey === DEFAULT_MASTER_KEY ? stack.masterKey : "(from LITELLM_MASTER_KEY)"}`,
      "  Try it:     npx just hello",
      "  Stop:       Ctrl-C",
      "",
    ].join("\n"),
  );
}

function untilSignal(cleanup: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write("\nStopping…\n");
      cleanup().then(
        () => resolve(),
        (error: unknown) => {
          process.stderr.write(`cleanup failed: ${(error as Error).message}\n`);
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

main(process.argv[2]).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
