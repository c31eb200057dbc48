import { describe, expect, it } from "vitest";
import { AdmissionControl } from "./admission-control.ts";

describe("AdmissionControl", () => {
  it("admits runs up to the limit, refuses the next, and admits again after a release", () => {
    const control = new AdmissionControl({ maxConcurrentRuns: 2, maxInflightBytes: 1_000 });
    const first = control.admit(10, true);
    const second = control.admit(10, true);
    expect(typeof first).toBe("object");
    expect(typeof second).toBe("object");
    expect(control.admit(10, true)).toBe("runs");
    expect(control.runs).toBe(2);
    if (typeof first === "object") first.release();
    expect(control.runs).toBe(1);
    expect(typeof control.admit(10, true)).toBe("object");
  });

  it("does not count requests that are not runs against the run limit", () => {
    const control = new AdmissionControl({ maxConcurrentRuns: 1, maxInflightBytes: 1_000 });
    expect(typeof control.admit(0, true)).toBe("object");
    expect(typeof control.admit(0, false)).toBe("object");
    expect(control.admit(0, true)).toBe("runs");
  });

  it("admits bytes up to exactly the limit and refuses one byte more, taking nothing", () => {
    const control = new AdmissionControl({ maxConcurrentRuns: 10, maxInflightBytes: 1_000 });
    const a = control.admit(600, true);
    expect(typeof a).toBe("object");
    expect(control.admit(401, true)).toBe("bytes");
    expect(control.runs).toBe(1);
    expect(control.bytes).toBe(600);
    const b = control.admit(400, true);
    expect(typeof b).toBe("object");
    expect(control.bytes).toBe(1_000);
    if (typeof a === "object") a.release();
    if (typeof b === "object") b.release();
    expect(control.bytes).toBe(0);
    expect(control.runs).toBe(0);
  });

  it("grows a ticket to the bytes actually read when they fit, and refuses when not", () => {
    const control = new AdmissionControl({ maxConcurrentRuns: 10, maxInflightBytes: 1_000 });
    const chunked = control.admit(0, true);
    const other = control.admit(300, false);
    if (typeof chunked !== "object" || typeof other !== "object") throw new Error("not admitted");
    expect(chunked.growTo(700)).toBe(true);
    expect(control.bytes).toBe(1_000);
    expect(chunked.growTo(701)).toBe(false);
    expect(chunked.bytes).toBe(700);
    // Growing to less than held (a declared length already counted) changes nothing.
    expect(chunked.growTo(100)).toBe(true);
    expect(control.bytes).toBe(1_000);
    chunked.release();
    expect(control.bytes).toBe(300);
  });

  it("releases a ticket once, however often release is called", () => {
    const control = new AdmissionControl({ maxConcurrentRuns: 1, maxInflightBytes: 100 });
    const ticket = control.admit(50, true);
    if (typeof ticket !== "object") throw new Error("not admitted");
    ticket.release();
    ticket.release();
    expect(control.runs).toBe(0);
    expect(control.bytes).toBe(0);
    expect(ticket.growTo(80)).toBe(false);
    expect(control.bytes).toBe(0);
  });
});
