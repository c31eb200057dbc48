import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { ApiError } from "./errors.ts";

/**
 * Only the bridge may call the runtime: it alone sets identity headers, so a caller without the
 * shared secret could otherwise act as any user. Compared in constant time (over digests, so
 * the length of the secret does not leak either).
 */
export function requireRuntimeToken(token: string) {
  const expected = digest(token);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1]) {
      throw new ApiError({
        status: 401,
        type: "authentication_error",
        code: "missing_runtime_token",
        message: "Missing bearer token: the runtime only accepts requests from the bridge.",
      });
    }
    if (!timingSafeEqual(digest(match[1].trim()), expected)) {
      throw new ApiError({
        status: 401,
        type: "authentication_error",
        code: "invalid_runtime_token",
        message: "Invalid bearer token for the agent runtime.",
      });
    }
    next();
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
