/**
 * A one-line progress bar on stderr (`\r` redraws it); without a terminal it prints one line
 * per phase instead, so logs stay readable.
 */
export interface Progress {
  phase(label: string): void;
  tick(n?: number): void;
  done(): void;
}

export function progressBar(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const tty = stream.isTTY === true;
  let done = 0;
  let label = "";
  let lastDraw = 0;
  const draw = (force = false) => {
    if (!tty) return;
    const nowMs = Date.now();
    if (!force && nowMs - lastDraw < 80) return;
    lastDraw = nowMs;
    const width = 30;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(fraction * width);
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    const elapsed = ((nowMs - started) / 1000).toFixed(0);
    const columns = stream.columns || 100;
    const line = `${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${elapsed}s ${label}`;
    stream.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
  };
  return {
    phase(next) {
      label = next;
      if (tty) draw(true);
      else stream.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${next}\n`);
    },
    tick(n = 1) {
      done += n;
      draw();
    },
    done() {
      done = total;
      if (tty) {
        draw(true);
        stream.write("\n");
      }
    },
  };
}
