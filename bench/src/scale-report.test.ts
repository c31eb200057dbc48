import { describe, expect, it } from "vitest";
import type { CpuUsage } from "./cpu.ts";
import {
  answersPerCpuSecond,
  coreShares,
  renderScale,
  type ScaleResult,
  saturation,
  scaleRatios,
  setupLabel,
  sumCounter,
} from "./scale-report.ts";
import { summarize } from "./stats.ts";

function cpu(seconds: Record<string, number>, machineBusy: number): CpuUsage {
  return { seconds, wallSeconds: 10, machineBusy, cores: 2 };
}

function result(
  litellm: number,
  runtimes: number,
  answersPerSecond: number,
  ttft: number[],
  extra: Partial<ScaleResult> = {},
): ScaleResult {
  return {
    litellm,
    runtimes,
    concurrency: 100,
    requests: 600,
    errors: 0,
    errorSamples: [],
    ttftMs: summarize(ttft),
    totalMs: summarize(ttft.map((t) => t + 600)),
    answersPerSecond,
    tokensPerSecond: answersPerSecond * 30,
    wallMs: 20_000,
    perRuntime: runtimes === 1 ? [600] : [300, 300],
    postgresConnections: { peak: 60, peakLock: 50 },
    cpu: cpu({ "LiteLLM 1": 9.8, "runtime 1": 3 }, 1),
    ...extra,
  };
}

describe("sumCounter", () => {
  it("sums a counter over its labels, not a longer name sharing its start", () => {
    const text = [
      "# HELP agentllm_requests_total Chat completions",
      "# TYPE agentllm_requests_total counter",
      'agentllm_requests_total{agent="demo-agent",status="200"} 598',
      'agentllm_requests_total{agent="demo-agent",status="disconnected"} 2',
      'agentllm_requests_total_extra{agent="x"} 1000',
      "agentllm_tool_calls_total 7",
    ].join("\n");
    expect(sumCounter(text, "agentllm_requests_total")).toBe(600);
    expect(sumCounter(text, "agentllm_tool_calls_total")).toBe(7);
    expect(sumCounter(text, "missing_total")).toBe(0);
  });
});

describe("scaleRatios", () => {
  const baseline = result(1, 1, 25, [1000, 2000]);

  it("divides throughput and TTFT by the 1 + 1 set-up's", () => {
    const ratios = scaleRatios(result(2, 2, 50, [500, 1000]), baseline);
    expect(ratios.answersPerSecond).toBe(2);
    expect(ratios.tokensPerSecond).toBe(2);
    expect(ratios.ttftP50).toBe(0.5);
    expect(ratios.ttftP99).toBeCloseTo(0.5);
    expect(scaleRatios(baseline, baseline).answersPerSecond).toBe(1);
  });

  it("is NaN when either set-up was skipped or there is no baseline", () => {
    const skipped = result(1, 2, Number.NaN, [], { skipped: "one runtime URL only" });
    expect(scaleRatios(skipped, baseline).answersPerSecond).toBeNaN();
    expect(scaleRatios(result(2, 1, 30, [1]), undefined).ttftP50).toBeNaN();
    expect(
      scaleRatios(result(2, 1, 30, [1]), { ...baseline, skipped: "x" }).answersPerSecond,
    ).toBeNaN();
  });
});

describe("answersPerCpuSecond", () => {
  it("divides the completed answers by the CPU seconds of every metered process", () => {
    // 600 requests, 0 errors; 9.8 + 3 CPU seconds.
    expect(answersPerCpuSecond(result(1, 1, 25, [1]))).toBeCloseTo(600 / 12.8);
    expect(answersPerCpuSecond(result(1, 1, 25, [1], { errors: 40 }))).toBeCloseTo(560 / 12.8);
  });

  it("is NaN without CPU figures (a skipped set-up)", () => {
    const none = { seconds: {}, wallSeconds: 0, machineBusy: Number.NaN, cores: 2 };
    expect(answersPerCpuSecond(result(1, 2, 0, [], { cpu: none }))).toBeNaN();
  });
});

describe("saturation", () => {
  it("names the process at a full core, busiest first", () => {
    expect(coreShares(cpu({ a: 2, b: 9.5 }, 0.6))).toEqual([
      ["b", 0.95],
      ["a", 0.2],
    ]);
    expect(saturation(cpu({ "LiteLLM 1": 9.5, "runtime 1": 3 }, 0.7))).toMatch(
      /^LiteLLM 1 at a full core \(LiteLLM 1 95 %, runtime 1 30 % of a core; machine 70 % busy over 2 cores, 63 % by the bench's processes\)$/,
    );
  });

  it("counts a process at exactly 90 % of a core as saturated, not one just below", () => {
    expect(saturation(cpu({ runtime: 9 }, 0.5))).toMatch(/^runtime at a full core/);
    expect(saturation(cpu({ runtime: 8.9 }, 0.5))).toMatch(/^nothing saturated/);
  });

  it("names the machine when every core is busy but no process is at a full core", () => {
    expect(saturation(cpu({ "LiteLLM 1": 5, "LiteLLM 2": 5, "runtime 1": 6 }, 0.97))).toMatch(
      /^the machine: all 2 cores busy \(80 % by the bench's processes\), no single process/,
    );
  });
});

describe("renderScale", () => {
  it("shows ratios against 1 + 1, the share per runtime and skipped set-ups with why", () => {
    const text = renderScale({
      concurrency: 100,
      requestsPerSetup: 600,
      maxSeconds: 60,
      tokens: 30,
      results: [
        result(1, 1, 25, [1000]),
        result(2, 1, 40, [800]),
        result(1, 2, Number.NaN, [], { skipped: "the bridge takes one runtime URL" }),
      ],
    }).join("\n");
    expect(text).toContain(setupLabel({ litellm: 2, runtimes: 1 }));
    expect(text).toMatch(
      /2 LiteLLMs \+ 1 runtime .* 1\.60× .* 46\.9 .* 0\.80× .* 600 +60 \(50\) +0$/m,
    );
    expect(text).toContain("1 LiteLLM + 2 runtimes: skipped: the bridge takes one runtime URL");
    expect(text).toContain("LiteLLM 1 at a full core");
    // 9.8 CPU seconds over 600 answers.
    expect(text).toContain("LiteLLM 1 98 % (16.3 ms/answer), runtime 1 30 % (5.0 ms/answer)");
  });
});
