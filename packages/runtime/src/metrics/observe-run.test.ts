import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../agents/loop/agent-event.ts";
import { SessionBusyError } from "../sessions/session-busy-error.ts";
import { SessionLocks } from "../sessions/session-lock.ts";
import { observeRun } from "./observe-run.ts";
import { RuntimeMetrics } from "./runtime-metrics.ts";
import { timedLocks } from "./timed-locks.ts";

const metrics = () => new RuntimeMetrics({ agents: ["a"], tools: ["t"] });

async function value(m: RuntimeMetrics, name: string, labels: Record<string, string> = {}) {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const match = (metric?.values ?? []).find(
    (v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l) &&
      (!("metricName" in v) || v.metricName === name || v.metricName === `${name}_count`),
  );
  return match?.value;
}

const run = { agent: "a", startedAt: performance.now(), signal: new AbortController().signal };

describe("observeRun", () => {
  it("passes events through and counts a failed run as an error, never left active", async () => {
    const m = metrics();
    async function* failing(): AsyncGenerator<AgentEvent> {
      yield { type: "text-delta", text: "hi" };
      throw new Error("upstream broke");
    }
    const seen: AgentEvent[] = [];
    await expect(async () => {
      for await (const event of observeRun(m, run, failing())) seen.push(event);
    }).rejects.toThrow("upstream broke");
    expect(seen).toEqual([{ type: "text-delta", text: "hi" }]);
    expect(await value(m, "agentllm_active_runs", { agent: "a" })).toBe(0);
    expect(await value(m, "agentllm_run_duration_seconds", { agent: "a", outcome: "error" })).toBe(
      1,
    );
    expect(await value(m, "agentllm_time_to_first_token_seconds", { agent: "a" })).toBe(1);
  });

  it("counts a run its consumer stopped early as aborted", async () => {
    const m = metrics();
    async function* endless(): AsyncGenerator<AgentEvent> {
      for (;;) yield { type: "text-delta", text: "x" };
    }
    for await (const _event of observeRun(m, run, endless())) break;
    expect(
      await value(m, "agentllm_run_duration_seconds", { agent: "a", outcome: "aborted" }),
    ).toBe(1);
    expect(await value(m, "agentllm_active_runs", { agent: "a" })).toBe(0);
  });
});

describe("timedLocks", () => {
  it("times every wait and counts a refusal as session busy", async () => {
    const m = metrics();
    const locks = timedLocks(new SessionLocks({ waitMs: 0 }), m);
    const key = { userId: "u", agent: "a", sessionId: "s" };
    const lease = await locks.acquire(key);
    await expect(locks.acquire(key)).rejects.toBeInstanceOf(SessionBusyError);
    lease.release();
    expect(await value(m, "agentllm_session_busy_total")).toBe(1);
    expect(await value(m, "agentllm_session_lock_wait_seconds")).toBe(2);
  });
});
