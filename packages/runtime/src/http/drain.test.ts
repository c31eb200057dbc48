import { describe, expect, it } from "vitest";
import { cutByDrain, Drain, DrainCutError, drainingError } from "./drain.ts";

/** A run that ends (untracks) when its signal aborts, as the chat route's runs do. */
function abortableRun(drain: Drain) {
  const controller = new AbortController();
  const untrack = drain.track(controller);
  controller.signal.addEventListener("abort", untrack);
  return { controller, untrack };
}

describe("Drain", () => {
  it("is not draining until begun, and settles at once with nothing in flight", async () => {
    const drain = new Drain();
    expect(drain.draining).toBe(false);
    expect(await drain.settle(0)).toEqual({ finished: 0, cut: 0, abandoned: 0 });
    expect(drain.draining).toBe(true);
  });

  it("waits for runs that finish before the deadline and cuts none", async () => {
    const drain = new Drain();
    const run = abortableRun(drain);
    expect(drain.running).toBe(1);
    const settled = drain.settle(2_147_483_647);
    expect(drain.draining).toBe(true);
    run.untrack();
    expect(await settled).toEqual({ finished: 1, cut: 0, abandoned: 0 });
    expect(run.controller.signal.aborted).toBe(false);
  });

  it("cuts the runs left at the deadline with a DrainCutError", async () => {
    const drain = new Drain();
    const run = abortableRun(drain);
    expect(await drain.settle(0)).toEqual({ finished: 0, cut: 1, abandoned: 0 });
    expect(run.controller.signal.reason).toBeInstanceOf(DrainCutError);
    expect(cutByDrain(run.controller.signal)).toBe(true);
    expect(drain.running).toBe(0);
  });

  it("counts a cut run that does not end within the settle time as abandoned", async () => {
    const drain = new Drain();
    drain.track(new AbortController());
    expect(await drain.settle(0, 0)).toEqual({ finished: 0, cut: 1, abandoned: 1 });
  });

  it("tracks a run that starts during the drain and cuts it like the others", async () => {
    const drain = new Drain();
    drain.begin();
    const run = abortableRun(drain);
    expect(await drain.settle(0)).toMatchObject({ cut: 1 });
    expect(run.controller.signal.aborted).toBe(true);
  });

  it("tells a client disconnect apart from a drain cut", () => {
    const controller = new AbortController();
    controller.abort(new Error("client went away"));
    expect(cutByDrain(controller.signal)).toBe(false);
    expect(cutByDrain(new AbortController().signal)).toBe(false);
  });

  it("answers 503 runtime_draining with a Retry-After", () => {
    for (const cut of [false, true]) {
      const error = drainingError(cut);
      expect(error).toMatchObject({ status: 503, code: "runtime_draining", retryAfterSeconds: 5 });
      expect(error.toJSON().error.type).toBe("server_error");
    }
  });
});
