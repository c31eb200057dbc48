import type { Request } from "express";
import { ApiError } from "./errors.ts";

export interface RequestIdentity {
  readonly userId: string | undefined;
  readonly sessionId: string | undefined;
}

const MAX_ID_LENGTH = 256;
// Ids are opaque but printable: they are bound as SQL parameters and never used in paths.
const CONTROL = /[\p{Cc}]/u;

/**
 * Reads the identity the bridge resolved. Trusted only because `requireRuntimeToken` ran first:
 * a caller without the shared secret never gets here.
 */
export function readIdentity(req: Request): RequestIdentity {
  return {
    userId: readId(req, "x-agentllm-user-id"),
    sessionId: readId(req, "x-agentllm-session-id"),
  };
}

function readId(req: Request, header: string): string | undefined {
  const raw = req.get(header);
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (value === "") return undefined;
  if (value.length > MAX_ID_LENGTH || CONTROL.test(value)) {
    throw new ApiError({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_identity",
      message: `Header ${header} must be at most ${MAX_ID_LENGTH} printable characters.`,
      param: header,
    });
  }
  return value;
}
