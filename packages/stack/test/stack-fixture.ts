import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type FakeGemini, startFakeGemini } from "@agentllm/testkit";
import OpenAI from "openai";
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
  } = {},
): Promise<StackFixture> {
  const gemini = await startFakeGemini({ port: 0 });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-e2e-"));
  let stack: RunningStack;
  try {
    stack = await startStack({
      geminiApiKey: "fake-gemini-key",
      geminiBaseUrl: gemini.url,
      dataDir,
      logLevel: "warn",
      env: { ...process.env, ...options.env },
      runtime: options.runtime,
      restart: options.restart,
      log: options.log,
    });
  } catch (error) {
    await gemini.close();
    rmSync(dataDir, { recursive: true, force: true });
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
    },
  };
}
