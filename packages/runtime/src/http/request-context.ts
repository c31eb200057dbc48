import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logger.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare global {
  namespace Express {
    interface Request {
      /** Set by the bridge (`X-Request-Id`) so one id follows a request through both logs. */
      requestId: string;
      log: Logger;
    }
  }
}

/** Gives every request an id and a child logger, and logs one line when it ends (no content). */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get("x-request-id");
    req.requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ reqId: req.requestId });
    res.setHeader("X-Request-Id", req.requestId);
    const started = performance.now();
    res.on("close", () => {
      req.log.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
          completed: res.writableFinished,
        },
        "request",
      );
    });
    next();
  };
}
