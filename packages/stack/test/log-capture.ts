/** One of the runtime's pino JSON lines (the fields the tests read). */
export interface RuntimeLogLine {
  readonly level?: number;
  readonly msg?: string;
  readonly reqId?: string;
  readonly [field: string]: unknown;
}

export interface LogCapture {
  /** Pass as `startStack({ onLine })`: keeps every line of both processes, in order. */
  readonly onLine: (service: "runtime" | "litellm", line: string) => void;
  /** A position in the capture, for `since`. */
  mark(): number;
  /** The lines each process printed after `mark`. */
  since(mark: number): { runtime: string[]; litellm: string[] };
  /** The runtime's lines that parse as JSON objects. */
  runtimeJson(): RuntimeLogLine[];
  /** The last lines of both, for failure messages. */
  tail(count?: number): string;
}

/** Collects ALL output lines of the stack (ChildService.output() keeps only the last 200). */
export function startLogCapture(): LogCapture {
  const lines: { service: "runtime" | "litellm"; line: string }[] = [];
  const of = (service: "runtime" | "litellm", from: number) =>
    lines
      .slice(from)
      .filter((l) => l.service === service)
      .map((l) => l.line);
  return {
    onLine: (service, line) => {
      lines.push({ service, line });
    },
    mark: () => lines.length,
    since: (mark) => ({ runtime: of("runtime", mark), litellm: of("litellm", mark) }),
    runtimeJson: () =>
      of("runtime", 0).flatMap((line) => {
        try {
          const value: unknown = JSON.parse(line);
          return typeof value === "object" && value !== null ? [value as RuntimeLogLine] : [];
        } catch {
          return [];
        }
      }),
    tail: (count = 40) =>
      lines
        .slice(-count)
        .map((l) => `[${l.service}] ${l.line}`)
        .join("\n"),
  };
}
