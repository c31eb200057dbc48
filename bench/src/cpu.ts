import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * CPU time per process from /proc/<pid>/stat ticks, for the scale section's "which process
 * saturated" line. Python's LiteLLM worker and Node's event loop each run their hot path on
 * one thread, so a process near one core of CPU is the one that limits its set-up.
 */

/** Clock ticks per second for /proc's utime and stime: USER_HZ, 100 on every Linux ABI. */
const TICKS_PER_SECOND = 100;
/** How often the meter rereads /proc: often enough to catch short-lived children's last ticks. */
const SAMPLE_MS = 250;

export interface StatFields {
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly ticks: number;
}

/** The parent and the CPU ticks (user + system) of one /proc/<pid>/stat or task stat line. */
export function parseStat(stat: string): StatFields {
  // The command name may hold spaces and parentheses; the fields after it start after the last ')'.
  const close = stat.lastIndexOf(")");
  if (close === -1) throw new Error("not a /proc stat line");
  const fields = stat.slice(close + 2).split(" ");
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (![ppid, utime, stime].every(Number.isInteger)) throw new Error("not a /proc stat line");
  return { ppid, ticks: utime + stime };
}

/** Busy and total jiffies of all cores, from /proc/stat's first line. */
export function parseMachineStat(stat: string): { busy: number; total: number } {
  const line = stat.split("\n", 1)[0] ?? "";
  if (!line.startsWith("cpu ")) throw new Error("not /proc/stat");
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/** `pid`'s process and every descendant: a LiteLLM's workers, Postgres's backends. */
export function processTree(parents: ReadonlyMap<number, number>, pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const [child, parent] of parents) {
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    if (out.includes(next)) continue;
    out.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return out;
}

/** What to meter: a process with its descendants, or one thread of a process (the fake Gemini). */
export type Metered = { readonly pid: number } | { readonly pid: number; readonly tid: number };

export interface CpuUsage {
  /** CPU seconds per metered name over the window. */
  readonly seconds: Record<string, number>;
  readonly wallSeconds: number;
  /** Share of all the machine's cores busy in the window, whoever used them (0..1). */
  readonly machineBusy: number;
  readonly cores: number;
}

export interface CpuMeter {
  /** Ends the window and returns the usage since the meter started. */
  stop(): CpuUsage;
}

function readTicks(file: string): StatFields | undefined {
  try {
    return parseStat(readFileSync(file, "utf8"));
  } catch {
    return undefined; // gone meanwhile
  }
}

function allParents(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readTicks(`/proc/${entry}/stat`);
    if (stat) parents.set(Number(entry), stat.ppid);
  }
  return parents;
}

/**
 * Starts metering `targets` now. Each process's ticks are read every 250 ms, so a child that
 * exits inside the window still counts up to its last sample.
 */
export function meterCpu(targets: Record<string, Metered>, cores: number): CpuMeter {
  const started = performance.now();
  const machineStart = parseMachineStat(readFileSync("/proc/stat", "utf8"));
  // Per name, per pid (or tid): ticks when first seen in the window and when last seen.
  const seen = new Map<string, Map<number, { first: number; last: number }>>();
  let firstSample = true;
  const sample = () => {
    const parents = allParents();
    for (const [name, target] of Object.entries(targets)) {
      const byPid = seen.get(name) ?? new Map<number, { first: number; last: number }>();
      seen.set(name, byPid);
      const files =
        "tid" in target
          ? [[target.tid, `/proc/${target.pid}/task/${target.tid}/stat`] as const]
          : processTree(parents, target.pid).map((pid) => [pid, `/proc/${pid}/stat`] as const);
      for (const [id, file] of files) {
        const stat = readTicks(file);
        if (!stat) continue;
        const known = byPid.get(id);
        // A process born inside the window counts from zero.
        if (known) known.last = stat.ticks;
        else byPid.set(id, { first: firstSample ? stat.ticks : 0, last: stat.ticks });
      }
    }
    firstSample = false;
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      const wallSeconds = (performance.now() - started) / 1000;
      const machineEnd = parseMachineStat(readFileSync("/proc/stat", "utf8"));
      const seconds: Record<string, number> = {};
      for (const [name, byPid] of seen) {
        let ticks = 0;
        for (const { first, last } of byPid.values()) ticks += last - first;
        seconds[name] = ticks / TICKS_PER_SECOND;
      }
      const total = machineEnd.total - machineStart.total;
      return {
        seconds,
        wallSeconds,
        machineBusy: total > 0 ? (machineEnd.busy - machineStart.busy) / total : Number.NaN,
        cores,
      };
    },
  };
}

/** This thread's id (for `Metered`): Node has no gettid, but /proc/thread-self names it. */
export function currentThreadId(): number {
  const link = readlinkSync("/proc/thread-self");
  const tid = Number(link.split("/").at(-1));
  if (!Number.isInteger(tid)) throw new Error(`unexpected /proc/thread-self: ${link}`);
  return tid;
}
