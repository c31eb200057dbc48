import type { NextFunction, Request, Response } from "express";
import { ApiError } from "../errors.ts";
import type { AdmissionControl, AdmissionTicket } from "./admission-control.ts";

/** Seconds a refused client is asked to wait; runs end within seconds, so do bursts. */
export const OVERLOADED_RETRY_AFTER_SECONDS = 1;

const tickets = new WeakMap<Request, AdmissionTicket>();

/** Requests that take a run slot: the ones that run an agent. */
function isRun(req: Request): boolean {
  return req.method === "POST" && req.path === "/v1/chat/completions";
}

/**
 * Admits a request before its body is read: a chat completion needs a run slot, and every
 * request needs room for its declared Content-Length in the in-flight budget. Both are given
 * back when the response ends or the connection closes, whichever comes first. A body without
 * a Content-Length (chunked) is counted by {@link countBodyBytes} once read, before it is parsed.
 * Mounted after the token check (strangers cost nothing) and before the body parser.
 */
export function admitRequest(control: AdmissionControl, maxBodyBytes: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const declared = Number(req.headers["content-length"] ?? 0) || 0;
    if (declared > maxBodyBytes) {
      // The body parser refuses it with 413, dropping its bytes unkept: nothing to hold, and a
      // client told 503 would only retry what can never pass.
      next();
      return;
    }
    if (declared > control.limits.maxInflightBytes) {
      // It could never fit, however long the client waits.
      throw new ApiError({
        status: 413,
        type: "invalid_request_error",
        code: "request_too_large",
        message: `The request body (${declared} bytes) is larger than the runtime's in-flight limit of ${control.limits.maxInflightBytes} bytes (AGENTLLM_MAX_INFLIGHT_BYTES).`,
      });
    }
    const ticket = control.admit(declared, isRun(req));
    if (ticket === "runs") {
      throw overloaded(
        `The agent runtime is running its limit of ${control.limits.maxConcurrentRuns} chat completions at once`,
      );
    }
    if (ticket === "bytes") {
      throw overloaded(
        `The agent runtime holds its limit of ${control.limits.maxInflightBytes} bytes of requests in flight`,
      );
    }
    tickets.set(req, ticket);
    res.once("close", () => ticket.release());
    next();
  };
}

/**
 * Counts the body actually read (a chunked body, or a compressed one that grew) before it is
 * parsed, the step that costs heap; throws the 503 when it does not fit. Pass to the body
 * parser's read hook.
 */
export function countBodyBytes(req: Request, bytes: number): void {
  const ticket = tickets.get(req);
  if (ticket && !ticket.growTo(bytes)) {
    throw overloaded(
      "The agent runtime holds too many bytes of requests in flight to read this one",
    );
  }
}

function overloaded(what: string): ApiError {
  return new ApiError({
    status: 503,
    type: "server_error",
    code: "overloaded",
    message: `${what}; retry in ${OVERLOADED_RETRY_AFTER_SECONDS} s.`,
    retryAfterSeconds: OVERLOADED_RETRY_AFTER_SECONDS,
  });
}
