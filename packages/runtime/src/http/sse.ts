import type { Response } from "express";

const HEARTBEAT_MS = 15_000;

/** One `data:` event: a JSON payload, or the literal `[DONE]`. */
export type SseEvent = object | "[DONE]";

export interface SseWriter {
  /** Writes the events now, together: one socket write (one syscall on loopback) for all. */
  send(...events: SseEvent[]): void;
  /** Writes the last events, if any, and ends the response, in the same write. */
  end(...events: SseEvent[]): void;
}

/**
 * Opens an SSE response. Events are written as soon as they are sent (Nagle off, no proxy
 * buffering); the headers leave with the first of them; a comment line every 15 s keeps idle
 * connections alive while a tool runs.
 */
export function openSse(res: Response): SseWriter {
  res.status(200);
  res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
  res.setHeader("Cache-Control", "no-cache, no-transform");
  res.setHeader("Connection", "keep-alive");
  res.setHeader("X-Accel-Buffering", "no");
  res.socket?.setNoDelay(true);
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    send(...events) {
      if (res.writableEnded || events.length === 0) return;
      res.write(format(events));
    },
    end(...events) {
      clearInterval(heartbeat);
      if (res.writableEnded) return;
      if (events.length > 0) res.end(format(events));
      else res.end();
    },
  };
}

function format(events: readonly SseEvent[]): string {
  return events
    .map((data) => `data: ${data === "[DONE]" ? data : JSON.stringify(data)}\n\n`)
    .join("");
}
