import { describe, expect, it } from "vitest";
import { SessionBusyError } from "../sessions/session-busy-error.ts";
import { SessionLockUnavailableError } from "../sessions/session-lock-unavailable-error.ts";
import { classify } from "./error-handler.ts";

describe("classify", () => {
  it("maps SessionBusyError to 409 conflict_error session_busy", () => {
    const busy = new SessionBusyError("chat-1", 30_000);
    const apiError = classify(busy);
    expect(apiError).toMatchObject({
      status: 409,
      type: "conflict_error",
      code: "session_busy",
      param: null,
      retryAfterSeconds: undefined,
      cause: busy,
    });
    expect(apiError.message).toBe(busy.message);
    // The client's session id stays out of the body.
    expect(JSON.stringify(apiError.toJSON())).not.toContain("chat-1");
  });

  it("maps the lock connection bound to 503 overloaded with Retry-After", () => {
    const apiError = classify(new SessionLockUnavailableError("capacity", 200));
    expect(apiError).toMatchObject({
      status: 503,
      type: "server_error",
      code: "overloaded",
      retryAfterSeconds: 1,
    });
    expect(apiError.message).toBe(
      "The agent runtime holds its limit of 200 conversation locks; retry in 1 s.",
    );
  });

  it("maps an unreachable lock database to 503 database_unavailable, without the cause", () => {
    const cause = new Error("connect ECONNREFUSED postgresql://u:secret@db/x");
    const apiError = classify(new SessionLockUnavailableError("database", 200, cause));
    expect(apiError).toMatchObject({
      status: 503,
      code: "database_unavailable",
      retryAfterSeconds: 1,
    });
    expect(JSON.stringify(apiError.toJSON())).not.toContain("secret");
  });
});
