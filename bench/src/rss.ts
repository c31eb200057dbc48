import { readdirSync, readFileSync } from "node:fs";

/** Resident set size of one process in bytes (VmRSS), 0 when it is gone. */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every process whose process group is `pgid` (the ChildService starts each service as a group leader). */
export function groupPids(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

export interface RssPeaks {
  /** The service's main process. */
  main: number;
  /** The whole process group (LiteLLM workers, if it forks any). */
  group: number;
}

export interface RssSampler {
  /** Peaks since the last `reset`, in bytes. */
  peaks(): Record<string, RssPeaks>;
  reset(): void;
  stop(): void;
}

/** Samples each service's RSS every `intervalMs` and keeps the peaks. */
export function sampleRss(services: Record<string, number>, intervalMs = 100): RssSampler {
  const blank = () =>
    Object.fromEntries(Object.keys(services).map((name) => [name, { main: 0, group: 0 }]));
  let peaks: Record<string, RssPeaks> = blank();
  let groups = new Map<string, number[]>();
  let ticks = 0;
  const sample = () => {
    // The group's members rarely change; rescan /proc once a second.
    if (ticks++ % 10 === 0) {
      groups = new Map(Object.entries(services).map(([name, pid]) => [name, groupPids(pid)]));
    }
    for (const [name, pid] of Object.entries(services)) {
      const peak = peaks[name] as RssPeaks;
      const main = rssOf(pid);
      const group = (groups.get(name) ?? [pid]).reduce((sum, member) => sum + rssOf(member), 0);
      peak.main = Math.max(peak.main, main);
      peak.group = Math.max(peak.group, group, main);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peaks: () => {
      sample();
      return structuredClone(peaks);
    },
    reset: () => {
      peaks = blank();
      sample();
    },
    stop: () => clearInterval(timer),
  };
}
