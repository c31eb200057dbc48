import type { Request, Response } from "express";

/** Liveness: the process answers. Needs no token, so orchestrators can probe it. */
export function healthz(_req: Request, res: Response): void {
  res.json({ status: "ok" });
}

/** Readiness: the process can serve chats (agents loaded, database answering). */
export function readyz(check: () => Promise<void>) {
  return async (_req: Request, res: Response): Promise<void> => {
    try {
      await check();
      res.json({ status: "ready" });
    } catch (error) {
      res.status(503).json({ status: "not ready", reason: (error as Error).message });
    }
  };
}
