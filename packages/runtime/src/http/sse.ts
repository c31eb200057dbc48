import type { Response } from "express";

const HEARTBEAT_MS = 15_000;

export interface SseWriter {
  /** Writes one `data:` event with a JSON payload, or the literal `[DONE]`. */
  send(data: object | "[DONE]"): void;
  end(): void;
}

/**
 * Opens an SSE response. Each event is written as soon as it is sent (Nagle off, no proxy
 * buffering); a comment line every 15 s keeps idle connections alive while a tool runs.
 */
export function openSse(res: Response): SseWriter {
  res.status(200);
  res.setHeader("Content-Type", "text/event-stream; charset=utf-8");
  res.setHeader("Cache-Control", "no-cache, no-transform");
  res.setHeader("Connection", "keep-alive");
  res.setHeader("X-Accel-Buffering", "no");
  res.socket?.setNoDelay(true);
  // Sent now unless the caller corked the response to send them with the first event.
  res.flushHeaders();
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    send(data) {
      if (res.writableEnded) return;
      res.write(`data: ${data === "[DONE]" ? data : JSON.stringify(data)}\n\n`);
    },
    end() {
      clearInterval(heartbeat);
      if (!res.writableEnded) res.end();
    },
  };
}
