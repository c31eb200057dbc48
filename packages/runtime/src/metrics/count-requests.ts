import type { NextFunction, Request, Response } from "express";
import { MODEL_PREFIX } from "../agents/registry.ts";
import type { RuntimeMetrics } from "./runtime-metrics.ts";

/**
 * Where a streamed answer that failed after its first byte puts the error's status (its HTTP
 * status was 200 by then), so the request is counted with what the client was actually told.
 */
export const STREAM_STATUS_LOCAL = "metricsStreamStatus";

/**
 * Counts every chat completion once, when its response ends or its connection closes: by agent
 * (from the body's `model`, "unknown" when not an agent or not read, e.g. refused before the
 * body parser) and status. Mounted first, so refusals (401, 413, 503) are counted too.
 */
export function countRequests(metrics: RuntimeMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === "POST" && req.path === "/v1/chat/completions") {
      res.once("close", () => {
        const model: unknown = (req.body as { model?: unknown } | undefined)?.model;
        const agent = metrics.agentLabel(
          typeof model === "string" && model.startsWith(MODEL_PREFIX)
            ? model.slice(MODEL_PREFIX.length)
            : typeof model === "string"
              ? model
              : undefined,
        );
        const streamStatus: unknown = res.locals[STREAM_STATUS_LOCAL];
        const status = !res.writableFinished
          ? "disconnected"
          : typeof streamStatus === "number"
            ? String(streamStatus)
            : String(res.statusCode);
        metrics.requests.inc({ agent, status });
      });
    }
    next();
  };
}

/** `GET /metrics`: the Prometheus exposition of this runtime's registry. */
export function serveMetrics(metrics: RuntimeMetrics) {
  return async (_req: Request, res: Response): Promise<void> => {
    const { contentType, body } = await metrics.scrape();
    res.setHeader("content-type", contentType);
    res.send(body);
  };
}
