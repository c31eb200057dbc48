import type { Request, Response } from "express";

/** Liveness: the process answers. Needs no token, so orchestrators can probe it. */
export function healthz(_req: Request, res: Response): void {
  res.json({ status: "ok" });
}

/**
 * Readiness: the process can serve chats (agents loaded, database answering) and is not
 * draining. Needs no token, so it says nothing about why a check failed: the reason (a path, a
 * driver message) goes to the log.
 */
export function readyz(check: () => Promise<void>, draining: () => boolean = () => false) {
  return async (req: Request, res: Response): Promise<void> => {
    // Expected, and logged once when the drain began: no warning at every probe.
    if (draining()) {
      res.status(503).json({ status: "draining" });
      return;
    }
    try {
      await check();
      res.json({ status: "ready" });
    } catch (error) {
      req.log.warn({ err: (error as Error).message }, "readiness check failed");
      res.status(503).json({ status: "not ready" });
    }
  };
}
