import { describe, expect, it } from "vitest";
import { MAX_SCALE_STREAMS, type Plan, parseBenchArgs, SCALE_MAX_SECONDS } from "./options.ts";

function plan(...argv: string[]): Plan {
  const parsed = parseBenchArgs(argv);
  if (parsed === "help") throw new Error("unexpected help");
  return parsed;
}

describe("parseBenchArgs", () => {
  it("ends the full run with the scale section at 100 streams", () => {
    const full = plan();
    expect(full.scaleOnly).toBe(false);
    expect(full.settings.concurrency).toEqual([1, 20, 100]);
    expect(full.scale).toEqual({
      concurrency: 100,
      requests: 600,
      maxSeconds: SCALE_MAX_SECONDS,
      warmup: 200,
    });
  });

  it("leaves the scale section out of --quick and --streams", () => {
    expect(plan("--quick").scale).toBeUndefined();
    expect(plan("--streams", "50").scale).toBeUndefined();
    expect(plan("--streams", "50").settings.concurrency).toEqual([50]);
  });

  it("runs only the scale section with --scale", () => {
    const scale = plan("--scale");
    expect(scale.scaleOnly).toBe(true);
    expect(scale.settings.scaleOnly).toBe(true);
    expect(scale.settings.concurrency).toEqual([]);
    expect(scale.settings.sessionTurns).toEqual([]);
    expect(scale.toolConcurrency).toEqual([]);
    expect(scale.jiraRequests).toBe(0);
    expect(scale.scale).toMatchObject({ concurrency: 100, requests: 600 });
  });

  it("takes the scale section's streams from --streams and a small version from --quick", () => {
    expect(plan("--scale", "--streams", "40").scale).toMatchObject({
      concurrency: 40,
      requests: 240,
    });
    expect(plan("--scale", "--quick").scale).toEqual({
      concurrency: 20,
      requests: 100,
      maxSeconds: SCALE_MAX_SECONDS,
      warmup: 40,
    });
  });

  it("accepts --scale --streams at the limit and refuses past it", () => {
    expect(plan("--scale", "--streams", String(MAX_SCALE_STREAMS)).scale?.concurrency).toBe(
      MAX_SCALE_STREAMS,
    );
    expect(() => plan("--scale", "--streams", String(MAX_SCALE_STREAMS + 1))).toThrow(
      `--streams with --scale must be at most ${MAX_SCALE_STREAMS}`,
    );
  });

  it("refuses --scale with --profile, and bad numbers", () => {
    expect(() => plan("--scale", "--profile")).toThrow("--profile and --scale");
    expect(() => plan("--scale", "--streams", "0")).toThrow("--streams must be at least 1");
    expect(() => plan("--streams", "x")).toThrow("--streams must be a whole number");
    expect(() => plan("--scales")).toThrow();
  });

  it("answers --help", () => {
    expect(parseBenchArgs(["--help"])).toBe("help");
  });
});
