import { EventEmitter } from "node:events";
import { DEFAULT_DRAIN_SECONDS } from "@agentllm/runtime";
import { describe, expect, it } from "vitest";
import { stopGraceMs } from "./start-stack.ts";
import { SAME_SIGNAL_WINDOW_MS, stopOnSignal } from "./stop-on-signal.ts";

function harness() {
  const signals = new EventEmitter();
  const stops: number[] = [];
  const written: string[] = [];
  let finishStop: () => void = () => {};
  const stop = (graceMs: number) => {
    stops.push(graceMs);
    // Like ChildService.stop: the graceful call resolves when the processes exit, whoever caused it.
    return new Promise<void>((resolve) => {
      const previous = finishStop;
      finishStop = () => {
        previous();
        resolve();
      };
    });
  };
  return { signals, stops, written, stop, exit: () => finishStop() };
}

describe("stopOnSignal", () => {
  it("the first signal grants the drain, a second stops at once, later ones do nothing", async () => {
    const h = harness();
    let clock = 0;
    let resolved = false;
    const stopped = stopOnSignal({
      stop: h.stop,
      graceMs: 30_000,
      signals: h.signals,
      write: (text) => h.written.push(text),
      now: () => clock,
    }).then(() => {
      resolved = true;
    });
    h.signals.emit("SIGINT");
    expect(h.stops).toEqual([30_000]);
    expect(h.written.join("")).toContain("up to 30 s to finish. Ctrl-C again to stop now");
    // The copies npx and just forward of the same Ctrl-C, a moment later: still the first.
    clock = SAME_SIGNAL_WINDOW_MS - 1;
    h.signals.emit("SIGINT");
    h.signals.emit("SIGINT");
    expect(h.stops).toEqual([30_000]);
    clock = SAME_SIGNAL_WINDOW_MS;
    h.signals.emit("SIGTERM");
    h.signals.emit("SIGINT");
    expect(h.stops).toEqual([30_000, 0]);
    await Promise.resolve();
    expect(resolved).toBe(false);
    h.exit();
    await stopped;
    expect(resolved).toBe(true);
    expect(h.signals.listenerCount("SIGINT") + h.signals.listenerCount("SIGTERM")).toBe(0);
  });
});

describe("stopGraceMs", () => {
  it("is the runtime's drain deadline as the environment sets it, plus a margin", () => {
    expect(stopGraceMs({})).toBe(DEFAULT_DRAIN_SECONDS * 1000 + 10_000);
    expect(stopGraceMs({ AGENTLLM_DRAIN_SECONDS: " 60 " })).toBe(70_000);
    expect(stopGraceMs({ AGENTLLM_DRAIN_SECONDS: "0" })).toBe(10_000);
    expect(stopGraceMs({ AGENTLLM_DRAIN_SECONDS: "" })).toBe(35_000);
  });
});
