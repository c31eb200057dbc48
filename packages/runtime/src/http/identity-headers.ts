import type { Request } from "express";
import { ApiError } from "./errors.ts";

export interface RequestIdentity {
  readonly userId: string | undefined;
  readonly sessionId: string | undefined;
  /**
   * Open WebUI's name for a background task (`title_generation`, …), forwarded by the bridge
   * from the connection's `X-OpenWebUI-Task: {{TASK}}` header; undefined for a chat turn.
   */
  readonly task: string | undefined;
}

const TASK_HEADER = "x-agentllm-task";
const TASK_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

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
    task: readTask(req),
  };
}

function readTask(req: Request): string | undefined {
  const value = req.get(TASK_HEADER)?.trim();
  if (!value) return undefined;
  if (!TASK_NAME.test(value)) {
    throw new ApiError({
      status: 400,
      type: "invalid_request_error",
      code: "invalid_task",
      message: `Header ${TASK_HEADER} must be 1 to 64 of A-Z a-z 0-9 _ . : - (a task name such as title_generation).`,
      param: TASK_HEADER,
    });
  }
  return value;
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
