import { describe, expect, it } from "vitest";
import { currentThreadId, parseMachineStat, parseStat, processTree } from "./cpu.ts";

describe("parseStat", () => {
  it("reads the parent and user + system ticks", () => {
    const stat =
      "9113 (cat) R 9110 9110 27322 0 -1 4194304 97 0 0 0 7 5 0 0 20 0 1 0 2981713 3133440 390";
    expect(parseStat(stat)).toEqual({ ppid: 9110, ticks: 12 });
  });

  it("reads a command name holding spaces and parentheses", () => {
    const stat = "42 (litellm (a) b) S 1 42 42 0 -1 0 0 0 0 0 300 45 0 0 20 0 3 0 1 1 1";
    expect(parseStat(stat)).toEqual({ ppid: 1, ticks: 345 });
  });

  it("refuses what is not a stat line", () => {
    expect(() => parseStat("nothing here")).toThrow("not a /proc stat line");
    expect(() => parseStat("1 (x) S")).toThrow("not a /proc stat line");
  });

  it("reads this process's own stat", async () => {
    const { readFileSync } = await import("node:fs");
    expect(parseStat(readFileSync("/proc/self/stat", "utf8")).ppid).toBe(process.ppid);
  });
});

describe("parseMachineStat", () => {
  it("counts idle and iowait as not busy", () => {
    const stat = "cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 50 2 25 400 20 1 1 0 0 0\n";
    expect(parseMachineStat(stat)).toEqual({ busy: 160, total: 1000 });
  });

  it("refuses another file", () => {
    expect(() => parseMachineStat("MemTotal: 1 kB")).toThrow("not /proc/stat");
  });
});

describe("processTree", () => {
  it("finds children and grandchildren, not siblings", () => {
    const parents = new Map([
      [10, 1],
      [11, 10],
      [12, 10],
      [13, 12],
      [20, 1],
    ]);
    expect(processTree(parents, 10).sort()).toEqual([10, 11, 12, 13]);
    expect(processTree(parents, 20)).toEqual([20]);
  });
});

describe("currentThreadId", () => {
  it("is the process id on the main thread", () => {
    expect(currentThreadId()).toBe(process.pid);
  });
});
