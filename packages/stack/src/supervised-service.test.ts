import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { type ChildService, startChildService } from "./child-service.ts";
import {
  DEFAULT_RESTART_POLICY,
  type RestartPolicy,
  restartDelay,
  type SupervisedService,
  superviseService,
} from "./supervised-service.ts";

// Small node processes stand in for the runtime: one that runs until killed, one that crashes.
const RUNS = "setInterval(() => {}, 1000)";
const CRASHES = "setTimeout(() => process.exit(3), 20)";
// Like the runtime's drain: on SIGTERM it finishes its work for a while, then exits 0.
const DRAINS =
  "process.on('SIGTERM', () => setTimeout(() => process.exit(0), 100)); console.log('serving'); setInterval(() => {}, 1000)";
const FAST: RestartPolicy = {
  initialDelayMs: 5,
  maxDelayMs: 20,
  stableAfterMs: 60_000,
  maxQuickCrashes: 3,
};

let supervised: SupervisedService | undefined;

afterEach(async () => {
  await supervised?.close();
  supervised = undefined;
});

function child(script: string): ChildService {
  return startChildService({
    name: "worker",
    command: process.execPath,
    args: ["-e", script],
    cwd: os.tmpdir(),
    env: process.env,
  });
}

interface Harness {
  readonly lines: string[];
  readonly started: ChildService[];
  readonly gaveUp: string[];
}

function supervise(
  scripts: (n: number) => string,
  policy: RestartPolicy,
  ready: (service: ChildService) => Promise<void> = async () => {},
): Harness {
  const h: Harness = { lines: [], started: [], gaveUp: [] };
  supervised = superviseService({
    start: () => {
      const service = child(scripts(h.started.length));
      h.started.push(service);
      return service;
    },
    policy,
    log: (line) => h.lines.push(line),
    ready,
    onGiveUp: (reason) => h.gaveUp.push(reason),
  });
  return h;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i += 1) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`gave up waiting for ${what}`);
}

function killGroup(service: ChildService): void {
  if (service.process.pid) process.kill(-service.process.pid, "SIGKILL");
}

describe("restartDelay", () => {
  it("doubles from 0.5 s to its 15 s cap by default", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 10].map((n) => restartDelay(DEFAULT_RESTART_POLICY, n));
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
  });
});

describe("superviseService", () => {
  it("restarts a process killed from outside, logging how it ended, the attempt and the delay", async () => {
    const h = supervise(() => RUNS, FAST);
    const first = h.started[0];
    if (!first) throw new Error("nothing started");
    killGroup(first);
    await until(() => h.started.length === 2, "the restart");
    expect(supervised?.current).toBe(h.started[1]);
    expect(h.lines[0]).toMatch(
      new RegExp(
        `^worker \\(pid ${first.process.pid}\\) was killed by SIGKILL after [\\d.]+ s; restart 1 of at most 3 in 5 ms$`,
      ),
    );
    expect(h.lines[1]).toBe(`worker restarted (pid ${h.started[1]?.process.pid}, restart 1)`);
    await until(() => h.lines.length === 3, "the ready line");
    expect(h.lines[2]).toContain("is ready again");
  });

  it("backs off and gives up on a crash loop, saying so once", async () => {
    const h = supervise(() => CRASHES, FAST);
    await until(() => h.gaveUp.length === 1, "giving up");
    // The first process and three restarts, no more.
    expect(h.started).toHaveLength(1 + FAST.maxQuickCrashes);
    const restarts = h.lines.filter((line) => line.includes("; restart "));
    expect(restarts.map((line) => /in (\d+) ms$/.exec(line)?.[1])).toEqual(["5", "10", "20"]);
    expect(h.lines.at(-1)).toContain("exited with code 3");
    expect(h.lines.at(-1)).toContain("4 crashes in a row");
    expect(h.lines.at(-1)).toContain("not restarting it again (crash loop)");
    expect(h.gaveUp[0]).toBe(h.lines.at(-1));
  });

  it("starts the backoff over after a process that stayed up long enough", async () => {
    // Every process counts as stable: each crash is the first of its run, so it never gives up.
    const h = supervise((n) => (n < 5 ? CRASHES : RUNS), { ...FAST, stableAfterMs: 0 });
    await until(() => h.started.length === 6, "five restarts");
    expect(h.gaveUp).toEqual([]);
    const delays = h.lines
      .filter((l) => l.includes("; restart "))
      .map((l) => /in (\d+) ms$/.exec(l)?.[1]);
    expect(delays).toEqual(["5", "5", "5", "5", "5"]);
  });

  it("leaves a first start that never got ready to the caller", async () => {
    // A readiness probe that never passes: the process's exit ends the wait.
    const h = supervise(
      () => CRASHES,
      FAST,
      (service) => service.waitUntil(async () => false, 30_000),
    );
    await expect(supervised?.started).rejects.toThrow("exited with code 3 before it was ready");
    await sleep(100);
    expect(h.started).toHaveLength(1);
    expect(h.lines).toEqual([]);
  });

  it("does not restart a process stopped or killed through its own handle", async () => {
    const h = supervise(() => RUNS, FAST);
    await h.started[0]?.kill("SIGKILL");
    await sleep(100);
    expect(h.started).toHaveLength(1);
    expect(h.lines).toEqual([]);
  });

  it("does not restart a process that drains after its stop() and exits 0", async () => {
    const h = supervise(
      () => DRAINS,
      FAST,
      (service) => service.waitUntil(async () => service.output().includes("serving"), 10_000),
    );
    await supervised?.started;
    const first = h.started[0];
    if (!first) throw new Error("nothing started");
    await first.stop();
    expect(await first.exited).toEqual({ code: 0, signal: null });
    await sleep(100);
    expect(h.started).toHaveLength(1);
    expect(h.lines).toEqual([]);
  });

  it("restarts nothing after close, even with a restart pending", async () => {
    const h = supervise(() => RUNS, { ...FAST, initialDelayMs: 50 });
    const first = h.started[0];
    if (!first) throw new Error("nothing started");
    killGroup(first);
    await until(() => h.lines.length === 1, "the exit line");
    await supervised?.close();
    await sleep(200);
    expect(h.started).toHaveLength(1);
  });

  it("restart() replaces the process at once and cancels a pending restart", async () => {
    const h = supervise(() => RUNS, { ...FAST, initialDelayMs: 50 });
    const first = h.started[0];
    if (!first) throw new Error("nothing started");
    killGroup(first);
    await until(() => h.lines.length === 1, "the exit line");
    const replaced = await supervised?.restart();
    expect(replaced).toBe(h.started[1]);
    await sleep(200);
    expect(h.started).toHaveLength(2);
    expect(supervised?.current).toBe(h.started[1]);
  });
});

describe("ChildService.stop", () => {
  it("leaves no grace timer behind once the process has exited in time", async () => {
    const timers = () =>
      (process as unknown as { getActiveResourcesInfo(): string[] })
        .getActiveResourcesInfo()
        .filter((kind) => kind === "Timeout").length;
    const service = child(DRAINS);
    await service.waitUntil(async () => service.output().includes("serving"), 10_000);
    const before = timers();
    await service.stop(600_000);
    // A pending 10-minute timer would keep a launcher alive that long after its stack stopped.
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it("kills what has not exited when the grace ends", async () => {
    const service = child(`process.on('SIGTERM', () => {}); console.log('serving'); ${RUNS}`);
    await service.waitUntil(async () => service.output().includes("serving"), 10_000);
    await service.stop(50);
    expect(await service.exited).toEqual({ code: null, signal: "SIGKILL" });
  });
});
