import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger, loadConfig, type RunningRuntime, startRuntime } from "@agentllm/runtime";
import { MemoryCredentialVault } from "@agentllm/runtime/testing";
import { type ChildService, freePort, httpOk, randomFernetKey, startProxy } from "@agentllm/stack";
import {
  type FakeDrive,
  type FakeGoogle,
  type FakeGoogleGrant,
  type FakeJira,
  grantFromFakeGoogle,
  seedUsers,
  startFakeDrive,
  startFakeGoogle,
  startFakeJira,
  TEAM_MAPPING_DOC_ID,
} from "@agentllm/testkit";
import OpenAI from "openai";
import type { EvalCase } from "./eval-case.ts";
import type { RunOutcome } from "./score-run.ts";
import { splitAnswer } from "./tool-cards.ts";

export interface EvalStackOptions {
  /** The real key, or any for the fake. */
  readonly geminiApiKey: string;
  /** The fake Gemini's URL in the harness's own tests; unset: Google's Gemini. */
  readonly geminiBaseUrl?: string | undefined;
}

export interface EvalStack {
  /** One run of a case as a fresh user (connected to Jira and Drive) in a fresh chat. */
  ask(evalCase: EvalCase, run: number, signal: AbortSignal): Promise<RunOutcome>;
  /** The runtime's and LiteLLM's last lines, for a report on a stack that misbehaved. */
  output(): string;
  close(): Promise<void>;
}

const MASTER_KEY = "sk-agentllm-evals";
const RUNTIME_TOKEN = "agentllm-evals-runtime-token";
const KEPT_LINES = 200;
const TEAM_MAPPING_URL = `https://docs.google.com/document/d/${TEAM_MAPPING_DOC_ID}/edit`;

/**
 * The settings the toolkits read from the environment when a tool runs (in this process, where
 * the runtime runs): the fake Drive, the sprint reviewer's team mapping. The release manager's
 * Sheet override is removed so it follows its shipped workbook, which the cases' facts assume.
 */
function toolkitEnv(drive: FakeDrive): Record<string, string | undefined> {
  return {
    GOOGLE_DRIVE_BASE_URL: drive.url,
    SPRINT_REVIEWER_TEAM_MAPPING_GDRIVE_URL: TEAM_MAPPING_URL,
    RELEASE_MANAGER_SYSTEM_PROMPT_GDRIVE_URL: undefined,
  };
}

/**
 * This process's environment without the stack's own settings: `just test-eval` loads
 * `.env.secrets`, whose identity secret would make the proxy demand signed identities and whose
 * ports or limits are a running stack's, not this one's.
 */
function proxyEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("AGENTLLM_")));
}

/**
 * The stack the evaluations talk to: the runtime (in this process, so the harness holds its
 * credential vault and connects each user programmatically) behind the real LiteLLM proxy with
 * the bridge, on Gemini, with the fake Jira Data Center, fake Google and fake Drive, seeded.
 */
export async function startEvalStack(options: EvalStackOptions): Promise<EvalStack> {
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
  };
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
    closers.length = 0;
  };
  try {
    const jira: FakeJira = await startFakeJira({ flavour: "server" });
    closers.push(() => jira.close());
    const google: FakeGoogle = await startFakeGoogle();
    closers.push(() => google.close());
    const drive = await startFakeDrive({ google });
    closers.push(() => drive.close());
    const grant: FakeGoogleGrant = await grantFromFakeGoogle(google);

    const saved = new Map<string, string | undefined>();
    for (const [name, value] of Object.entries(toolkitEnv(drive))) {
      saved.set(name, process.env[name]);
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    closers.push(async () => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    const workDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-evals-"));
    closers.push(async () => rmSync(workDir, { recursive: true, force: true }));
    const config = loadConfig({
      AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
      GEMINI_API_KEY: options.geminiApiKey,
      ...(options.geminiBaseUrl ? { GOOGLE_GEMINI_BASE_URL: options.geminiBaseUrl } : {}),
      AGENTLLM_RUNTIME_PORT: "0",
      AGENTLLM_PUBLIC_PORT: "0",
      AGENTLLM_DATA_DIR: path.join(workDir, "data"),
      AGENTLLM_LOG_LEVEL: "info",
      AGENTLLM_TOKEN_ENCRYPTION_KEY: randomFernetKey(),
      GDRIVE_CLIENT_ID: google.clients[0]?.clientId ?? "",
      GDRIVE_CLIENT_SECRET: google.clients[0]?.clientSecret ?? "",
      GOOGLE_OAUTH_BASE_URL: google.url,
    });
    const vault = new MemoryCredentialVault();
    const runtime: RunningRuntime = await startRuntime(config, {
      logger: createLogger("info", { write: (line: string) => keep(`[runtime] ${line}`) }),
      vault,
    });
    closers.push(() => runtime.close());

    const port = await freePort();
    const proxy: ChildService = startProxy({
      runtimeUrl: runtime.url,
      runtimeToken: RUNTIME_TOKEN,
      masterKey: MASTER_KEY,
      geminiApiKey: options.geminiApiKey,
      port,
      env: proxyEnv(process.env),
      onLine: (line) => keep(`[litellm] ${line}`),
    });
    closers.push(() => proxy.stop());
    await proxy.waitUntil(httpOk(`http://127.0.0.1:${port}/health/liveliness`), 90_000);
    const client = new OpenAI({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: MASTER_KEY,
      maxRetries: 0,
    });

    const dana = seedUsers[0] as (typeof seedUsers)[number];
    const connect = async (user: string) => {
      await vault.put(user, "jira", {
        kind: "api-token",
        secrets: { token: dana.token },
        metadata: { serverUrl: jira.url, flavour: "server", account: dana.displayName },
      });
      await vault.put(user, "google_drive", {
        kind: "oauth2",
        secrets: { refresh_token: grant.refreshToken, access_token: grant.accessToken },
        metadata: { access_token_expires_at: String(Date.now() + 3_000_000), email: grant.email },
      });
    };

    return {
      async ask(evalCase, run, signal) {
        const user = `eval-${evalCase.id}-${run}-${Date.now().toString(36)}`;
        await connect(user);
        const started = performance.now();
        try {
          const reply = await client.chat.completions.create(
            { model: `agno/${evalCase.agent}`, messages: evalCase.messages },
            {
              headers: { "X-OpenWebUI-User-Id": user, "X-OpenWebUI-Chat-Id": `${user}-chat` },
              signal,
            },
          );
          const { text, toolCalls } = splitAnswer(reply.choices[0]?.message.content ?? "");
          const usage = reply.usage && {
            promptTokens: reply.usage.prompt_tokens,
            completionTokens: reply.usage.completion_tokens,
          };
          return { text, toolCalls, durationMs: performance.now() - started, usage };
        } catch (error) {
          const reason = signal.aborted
            ? "no answer within the time per run"
            : (error as Error).message.slice(0, 300);
          return {
            text: "",
            toolCalls: [],
            error: reason,
            durationMs: performance.now() - started,
          };
        }
      },
      output: () => lines.join("\n"),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
