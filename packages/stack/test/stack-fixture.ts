import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import OpenAI from "openai";
import { paths } from "../src/repo-paths.ts";
import {
  type RunningStack,
  type RuntimeForm,
  type StackOptions,
  startStack,
} from "../src/start-stack.ts";

export interface StackFixture {
  readonly gemini: FakeGemini;
  readonly stack: RunningStack;
  /** The official OpenAI client, pointed at the LiteLLM proxy. */
  readonly client: OpenAI;
  /** The same client pointed straight at the runtime (with the runtime's secret). */
  readonly runtimeClient: OpenAI;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** Fake Gemini + runtime + the real LiteLLM proxy with the bridge, on free loopback ports. */
export async function startStackFixture(
  options: {
    env?: Readonly<Record<string, string>>;
    runtime?: RuntimeForm;
    /** The launcher's restart policy and its own log lines (runtime exits and restarts). */
    restart?: StackOptions["restart"];
    log?: StackOptions["log"];
    /** Agent folders besides the discovered ones (`AGENTLLM_AGENT_DIRS`), with their models. */
    agents?: { readonly dirs: readonly string[]; readonly models: readonly string[] };
    /** The runtime's log level; default `warn`. */
    logLevel?: string;
    /** Every output line of the runtime and LiteLLM (their `output()` keeps the last 200). */
    onLine?: StackOptions["onLine"];
  } = {},
): Promise<StackFixture> {
  const gemini = await startFakeGemini({ port: 0 });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-e2e-"));
  const agents = options.agents;
  const configDir = agents && mkdtempSync(path.join(os.tmpdir(), "agentllm-proxy-config-"));
  let stack: RunningStack;
  try {
    stack = await startStack({
      geminiApiKey: "fake-gemini-key",
      geminiBaseUrl: gemini.url,
      dataDir,
      logLevel: options.logLevel ?? "warn",
      env: {
        ...process.env,
        ...(agents ? { AGENTLLM_AGENT_DIRS: agents.dirs.join(path.delimiter) } : {}),
        ...options.env,
      },
      runtime: options.runtime,
      restart: options.restart,
      log: options.log,
      onLine: options.onLine,
      proxyConfig: configDir && proxyConfigWithModels(configDir, agents.models),
    });
  } catch (error) {
    await gemini.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (configDir) rmSync(configDir, { recursive: true, force: true });
    throw error;
  }
  return {
    gemini,
    stack,
    dataDir,
    client: new OpenAI({ baseURL: `${stack.proxyUrl}/v1`, apiKey: stack.masterKey, maxRetries: 0 }),
    runtimeClient: new OpenAI({
      baseURL: `${stack.runtimeUrl}/v1`,
      apiKey: stack.runtimeToken,
      maxRetries: 0,
    }),
    async close() {
      await stack.close();
      await gemini.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (configDir) rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/**
 * The repository's proxy config with entries for `models` (`agno/<agent>`, as `just sync-models`
 * writes them) added, written to `dir`; returns its path.
 */
export function proxyConfigWithModels(dir: string, models: readonly string[]): string {
  const entries = models.map(
    (model) =>
      `  - model_name: ${model}\n    litellm_params:\n      model: ${model}\n      custom_llm_provider: agno\n      num_retries: 0\n      cooldown_time: 0\n`,
  );
  const file = path.join(dir, "proxy_config.yaml");
  writeFileSync(
    file,
    readFileSync(paths.proxyConfig, "utf8").replace(
      "model_list:\n",
      `model_list:\n${entries.join("")}\n`,
    ),
  );
  return file;
}
