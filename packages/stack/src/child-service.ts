import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

export interface ChildServiceOptions {
  /** Short name used as the log prefix, e.g. "runtime". */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Called with each output line; default keeps lines only in memory (see `output()`). */
  readonly onLine?: (line: string) => void;
}

/** How a child process ended: an exit code, or the signal that killed it. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildService {
  readonly name: string;
  readonly process: ChildProcess;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<ChildExit>;
  /** True once `stop()` or `kill()` was called: an exit the owner asked for, not a crash. */
  readonly exitRequested: boolean;
  /** The last lines the process printed (stdout and stderr), for error messages. */
  output(): string;
  /** Resolves when `probe` succeeds; rejects with the recent output if the process dies first. */
  waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void>;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Sends `signal` (default SIGKILL: a crash, no clean-up) to the whole group; resolves on exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const KEPT_LINES = 200;

/** Starts a long-running child in its own process group so stopping it stops its children too. */
export function startChildService(options: ChildServiceOptions): ChildService {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let pending = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (data: string) => {
      pending += data;
      const parts = pending.split("\n");
      pending = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
        options.onLine?.(line);
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<ChildExit>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let exitCode: number | null | undefined;
  let exitDescription = "";
  void exited.then((exit) => {
    exitCode = exit.code;
    exitDescription = describeExit(exit);
  });
  let exitRequested = false;

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };

  return {
    name: options.name,
    process: child,
    exited,
    get exitRequested() {
      return exitRequested;
    },
    output: () => lines.join("\n"),
    async waitUntil(probe, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitCode !== undefined) {
          throw new Error(
            `${options.name} ${exitDescription} before it was ready:\n${lines.slice(-40).join("\n")}`,
          );
        }
        if (await probe().catch(() => false)) return;
        await sleep(100);
      }
      throw new Error(
        `${options.name} was not ready after ${timeoutMs} ms:\n${lines.slice(-40).join("\n")}`,
      );
    },
    async stop(graceMs = 5_000) {
      exitRequested = true;
      if (exitCode !== undefined || child.exitCode !== null) return;
      signalGroup("SIGTERM");
      // The grace timer is cancelled once the process exits: a pending one would keep whoever
      // stopped it alive for the rest of the grace (35 s for a launcher's drain).
      const grace = new AbortController();
      const exitedInTime = await Promise.race([
        exited.then(() => true),
        sleep(graceMs, false, { signal: grace.signal }).catch(() => true),
      ]);
      grace.abort();
      if (!exitedInTime) {
        signalGroup("SIGKILL");
        await exited;
      }
    },
    async kill(signal = "SIGKILL") {
      exitRequested = true;
      if (exitCode !== undefined || child.exitCode !== null) return;
      signalGroup(signal);
      await exited;
    },
  };
}

/** "exited with code 1" or "was killed by SIGKILL", for log lines and errors. */
export function describeExit(exit: ChildExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/** A probe that succeeds once `url` answers with a 2xx. */
export function httpOk(url: string, init?: RequestInit): () => Promise<boolean> {
  return async () => {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.ok;
  };
}
