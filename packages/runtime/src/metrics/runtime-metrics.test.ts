import perfHooks from "node:perf_hooks";
import { register } from "prom-client";
import { describe, expect, it, vi } from "vitest";
import { RuntimeMetrics, UNKNOWN_LABEL } from "./runtime-metrics.ts";

const labels = { agents: ["demo-agent"], tools: ["echo"] };

describe("RuntimeMetrics", () => {
  it("keeps a registry per instance: two runtimes in one process never clash", async () => {
    const a = new RuntimeMetrics(labels);
    const b = new RuntimeMetrics(labels);
    a.sessionBusy.inc();
    expect(await a.registry.getSingleMetricAsString("agentllm_session_busy_total")).toContain(
      "agentllm_session_busy_total 1",
    );
    expect(await b.registry.getSingleMetricAsString("agentllm_session_busy_total")).toContain(
      "agentllm_session_busy_total 0",
    );
    // Nothing on prom-client's global registry.
    expect(register.getMetricsAsArray()).toHaveLength(0);
  });

  it("labels only names the registry declared; anything else is unknown", () => {
    const metrics = new RuntimeMetrics(labels);
    expect(metrics.agentLabel("demo-agent")).toBe("demo-agent");
    expect(metrics.agentLabel("someone-elses-model")).toBe(UNKNOWN_LABEL);
    expect(metrics.agentLabel(undefined)).toBe(UNKNOWN_LABEL);
    expect(metrics.toolLabel("echo")).toBe("echo");
    expect(metrics.toolLabel("a_tool_the_model_made_up")).toBe(UNKNOWN_LABEL);
  });

  it("exposes the text format with the default process metrics", async () => {
    const { contentType, body } = await new RuntimeMetrics(labels).scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain("process_resident_memory_bytes");
    expect(body).toContain("# TYPE agentllm_time_to_first_token_seconds histogram");
  });

  it("collects process metrics once per process, however many runtimes it starts", async () => {
    new RuntimeMetrics(labels);
    // prom-client's event-loop collector starts a histogram it never stops, one per collection.
    const histograms = vi.spyOn(perfHooks, "monitorEventLoopDelay");
    const many = Array.from({ length: 20 }, () => new RuntimeMetrics(labels));
    expect(histograms).not.toHaveBeenCalled();
    histograms.mockRestore();
    const [first, last] = [many[0], many.at(-1)] as [RuntimeMetrics, RuntimeMetrics];
    first.sessionBusy.inc();
    // Each still serves its own series with the process's.
    const [a, b] = await Promise.all([first.scrape(), last.scrape()]);
    expect(a.body).toContain("agentllm_session_busy_total 1");
    expect(b.body).toContain("agentllm_session_busy_total 0");
    expect(b.body).toContain("process_resident_memory_bytes");
    expect(b.body.match(/^# TYPE process_resident_memory_bytes /gm)).toHaveLength(1);
  });
});
