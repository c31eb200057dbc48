import { describe, expect, it } from "vitest";
import { SessionBusyError } from "../sessions/session-busy-error.ts";
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
});
