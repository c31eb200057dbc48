import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { type ChildService, httpOk, startChildService } from "./child-service.ts";
import { assertBuildFresh } from "./compiled-build.ts";
import { freePort } from "./free-port.ts";
import { paths, repoRoot } from "./repo-paths.ts";
import { startProxy } from "./start-proxy.ts";
import {
  DEFAULT_RESTART_POLICY,
  type RestartPolicy,
  superviseService,
} from "./supervised-service.ts";

/** The local default from the original project, so `just hello` works with no setup. */
export const DEFAULT_MASTER_KEY = "sk-agno-test-key-12345";

export interface StackOptions {
  readonly geminiApiKey: string;
  /** Any server speaking the Gemini REST API (the testkit's fake, in demo and tests). */
  readonly geminiBaseUrl?: string | undefined;
  readonly dataDir: string;
  /** 0 or undefined: a free port. */
  readonly proxyPort?: number | undefined;
  readonly runtimePort?: number | undefined;
  /** The runtime's public listener (connect pages); 0 or undefined: a free port. */
  readonly publicPort?: number | undefined;
  readonly proxyHost?: string | undefined;
  readonly masterKey?: string | undefined;
  /** Shared secret between bridge and runtime; a fresh random one when not given. */
  readonly runtimeToken?: string | undefined;
  /**
   * The runtime's `AGENTLLM_TOKEN_ENCRYPTION_KEY` (one Fernet key, or several comma-separated);
   * a fresh random key when not given, so credentials stored by this stack die with it.
   */
  readonly encryptionKey?: string | undefined;
  readonly logLevel?: string | undefined;
  /** The environment both processes inherit; defaults to this process's. */
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** Each output line of either process, e.g. to print them in the foreground. */
  readonly onLine?: ((service: "runtime" | "litellm", line: string) => void) | undefined;
  readonly readyTimeoutMs?: number | undefined;
  /** The LiteLLM config file; defaults to the repository's proxy_config.yaml. */
  readonly proxyConfig?: string | undefined;
  /**
   * Which form of the runtime to run. `"source"` (default): the TypeScript sources under
   * `node --import tsx`, nothing to build. `"compiled"`: `npx just build`'s JavaScript under
   * `node --conditions=production`, as in production (no tsx loader thread, less memory);
   * the start fails with `StaleBuildError` if that build is missing or older than the sources.
   */
  readonly runtime?: RuntimeForm | undefined;
  /**
   * How the launcher restarts a runtime that died on its own (see supervised-service.ts);
   * fields left out keep their defaults.
   */
  readonly restart?: Partial<RestartPolicy> | undefined;
  /** The launcher's own lines (runtime exits, restarts, giving up); default: stderr. */
  readonly log?: ((line: string) => void) | undefined;
  /** Called once if the runtime keeps crashing and the launcher stops restarting it. */
  readonly onRuntimeGaveUp?: ((reason: string) => void) | undefined;
}

export type RuntimeForm = "source" | "compiled";

/** A Fernet key as `just secrets` and Python's `Fernet.generate_key()` write one. */
export function randomFernetKey(): string {
  return randomBytes(32).toString("base64").replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * V8 heap settings for the runtime. Its live heap is small (about 20 MiB idle, 35 MiB with 100
 * streams open), but with no limit V8 lets short-lived stream objects pile up in old space before
 * collecting: 220+ MiB RSS at 100 streams on the bench. A 256 MiB old-space limit puts V8 in its
 * memory-conscious growth mode and a 4 MiB young generation promotes less: about 130 MiB at 100
 * streams through LiteLLM, for a few percent of the runtime's own throughput (far more than
 * LiteLLM in front of it can use). Given through NODE_OPTIONS, first, so an operator's own
 * NODE_OPTIONS (say, a larger heap for many more streams) override them.
 */
export const RUNTIME_NODE_OPTIONS = "--max-old-space-size=256 --max-semi-space-size=4";

/** The runtime's own default for AGENTLLM_DRAIN_SECONDS (packages/runtime/src/config.ts). */
export const RUNTIME_DEFAULT_DRAIN_SECONDS = 25;
/**
 * Past the drain deadline: up to 5 s for the cut answers to be stored, then the close (the same
 * margin docs/operations.md asks of Kubernetes' terminationGracePeriodSeconds).
 */
const STOP_MARGIN_MS = 10_000;

/**
 * How long a graceful stop waits before killing: the runtime's drain deadline as `env` sets it
 * (an answer in flight may run that long, then is stored as partial), plus a margin. The proxy
 * gets the same, since it streams those answers to their clients.
 */
export function stopGraceMs(env: NodeJS.ProcessEnv): number {
  const raw = env.AGENTLLM_DRAIN_SECONDS?.trim() ?? "";
  // The runtime refuses a malformed value at start, so only a valid one reaches a stop.
  const seconds = /^\d+$/.test(raw) ? Number(raw) : RUNTIME_DEFAULT_DRAIN_SECONDS;
  return seconds * 1000 + STOP_MARGIN_MS;
}

/** How each form of the runtime is started (after `node`). */
export function runtimeArgs(form: RuntimeForm): string[] {
  return form === "compiled"
    ? ["--conditions=production", paths.runtimeCompiledMain]
    : ["--import", "tsx", paths.runtimeMain];
}

export interface RunningStack {
  /** The LiteLLM proxy, what clients talk to: `http://127.0.0.1:9501`. */
  readonly proxyUrl: string;
  /** The runtime's internal API (needs `runtimeToken`). */
  readonly runtimeUrl: string;
  /** The runtime's public listener, where connect links point (`AGENTLLM_PUBLIC_URL` if set). */
  readonly publicUrl: string;
  readonly masterKey: string;
  readonly runtimeToken: string;
  /** The runtime's credential key(s), as given or made for this stack (or the last restart). */
  readonly encryptionKey: string;
  /** The current runtime process (a new one after `restartRuntime` or a restart after a crash). */
  readonly runtime: ChildService;
  readonly proxy: ChildService;
  /**
   * SIGTERM to both; whichever has not exited after `graceMs` (default 5 s, enough for an idle
   * stack) is killed. Give `stopGraceMs(env)` to let answers in flight finish their drain.
   */
  close(graceMs?: number): Promise<void>;
  /**
   * Stops the runtime if it still runs (`runtime.kill()` first to simulate a crash), then starts
   * a new one with the same port, token and data directory and waits until it is ready. The
   * proxy keeps running and reaches the new process at the same URL. A runtime that dies on its
   * own is restarted without this (with backoff); one stopped or killed through its
   * `ChildService` handle is not, so a test can look at the data before calling this.
   * With `encryptionKey`, the new process (and every later one) gets that key ring instead: a
   * rotation's restarts, a new key put in front and later the old one dropped.
   */
  restartRuntime(options?: { readonly encryptionKey?: string }): Promise<ChildService>;
}

export class BridgeNotInstalledError extends Error {
  override readonly name = "BridgeNotInstalledError";
  constructor() {
    super(`LiteLLM is not installed at ${paths.litellm}; run \`npx just setup\` first.`);
  }
}

/**
 * Starts the agent runtime and the real LiteLLM proxy (with the bridge) side by side and
 * resolves once both answer. Used by `just proxy`, `just demo`, the end-to-end tests and the
 * benchmarks, so all four run the same processes the same way.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  if (!existsSync(paths.litellm)) throw new BridgeNotInstalledError();
  const form = options.runtime ?? "source";
  if (form === "compiled") await assertBuildFresh();
  const baseEnv = options.env ?? process.env;
  const runtimePort = options.runtimePort || (await freePort());
  const proxyPort = options.proxyPort || (await freePort());
  const publicPort = options.publicPort || (await freePort());
  const publicUrl = baseEnv.AGENTLLM_PUBLIC_URL || `http://127.0.0.1:${publicPort}`;
  const proxyHost = options.proxyHost ?? "127.0.0.1";
  const masterKey = options.masterKey ?? DEFAULT_MASTER_KEY;
  const runtimeToken = options.runtimeToken ?? randomBytes(24).toString("base64url");
  let encryptionKey = options.encryptionKey ?? randomFernetKey();
  const runtimeUrl = `http://127.0.0.1:${runtimePort}`;
  const proxyUrl = `http://${proxyHost === "0.0.0.0" ? "127.0.0.1" : proxyHost}:${proxyPort}`;
  const timeout = options.readyTimeoutMs ?? 90_000;

  const startRuntime = () =>
    startChildService({
      name: "runtime",
      command: process.execPath,
      args: runtimeArgs(form),
      cwd: repoRoot,
      env: {
        ...baseEnv,
        NODE_OPTIONS: [RUNTIME_NODE_OPTIONS, baseEnv.NODE_OPTIONS].filter(Boolean).join(" "),
        AGENTLLM_RUNTIME_HOST: "127.0.0.1",
        AGENTLLM_RUNTIME_PORT: String(runtimePort),
        AGENTLLM_PUBLIC_PORT: String(publicPort),
        AGENTLLM_RUNTIME_TOKEN: runtimeToken,
        AGENTLLM_TOKEN_ENCRYPTION_KEY: encryptionKey,
        AGENTLLM_DATA_DIR: options.dataDir,
        GEMINI_API_KEY: options.geminiApiKey,
        ...(options.geminiBaseUrl ? { GOOGLE_GEMINI_BASE_URL: options.geminiBaseUrl } : {}),
        ...(options.logLevel ? { AGENTLLM_LOG_LEVEL: options.logLevel } : {}),
      },
      onLine: options.onLine && ((line) => options.onLine?.("runtime", line)),
    });
  const log = options.log ?? ((line: string) => process.stderr.write(`[launcher] ${line}\n`));
  const runtimeReady = (service: ChildService) =>
    service.waitUntil(httpOk(`${runtimeUrl}/readyz`), timeout);
  const runtime = superviseService({
    start: startRuntime,
    policy: { ...DEFAULT_RESTART_POLICY, ...options.restart },
    log,
    ready: runtimeReady,
    onGiveUp: options.onRuntimeGaveUp,
  });
  const proxy = startProxy({
    runtimeUrl,
    runtimeToken,
    masterKey,
    geminiApiKey: options.geminiApiKey,
    port: proxyPort,
    host: proxyHost,
    proxyConfig: options.proxyConfig,
    env: baseEnv,
    onLine: options.onLine && ((line) => options.onLine?.("litellm", line)),
  });

  const close = async (graceMs?: number) => {
    await Promise.all([proxy.stop(graceMs), runtime.close(graceMs)]);
  };
  try {
    await Promise.all([
      runtime.started,
      proxy.waitUntil(httpOk(`${proxyUrl}/health/liveliness`), timeout),
    ]);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    proxyUrl,
    runtimeUrl,
    publicUrl,
    masterKey,
    runtimeToken,
    get encryptionKey() {
      return encryptionKey;
    },
    get runtime() {
      return runtime.current;
    },
    proxy,
    close,
    restartRuntime: (restart) => {
      if (restart?.encryptionKey !== undefined) encryptionKey = restart.encryptionKey;
      return runtime.restart();
    },
  };
}
