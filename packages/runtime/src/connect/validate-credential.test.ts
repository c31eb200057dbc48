import type { ApiTokenCredential } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { validateCredential } from "./validate-credential.ts";

function credential(validate: ApiTokenCredential["validate"]): ApiTokenCredential {
  return { kind: "api-token", title: "Jira", fields: {}, ...(validate ? { validate } : {}) };
}

const live = () => new AbortController().signal;

describe("validateCredential", () => {
  it("takes the values as given without a validate", async () => {
    expect(
      await validateCredential(credential(undefined), {}, { timeoutMs: 10, signal: live() }),
    ).toEqual({ ok: true });
  });

  it("passes the check's answer through, with the values", async () => {
    const seen: unknown[] = [];
    const outcome = await validateCredential(
      credential(async (values) => {
        seen.push(values);
        return { ok: false, message: "Jira refused the token" };
      }),
      { token: "t" },
      { timeoutMs: 1000, signal: live() },
    );
    expect(outcome).toEqual({ ok: false, message: "Jira refused the token" });
    expect(seen).toEqual([{ token: "t" }]);
  });

  it("stops waiting for a check that ignores its signal, and aborts the signal", async () => {
    let signal: AbortSignal | undefined;
    const outcome = await validateCredential(
      credential((_values, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      }),
      {},
      { timeoutMs: 20, signal: live() },
    );
    expect(outcome).toEqual({ ok: false, failure: "timeout" });
    expect(signal?.aborted).toBe(true);
  });

  it("turns a thrown error into a failure", async () => {
    const error = new Error("boom");
    expect(
      await validateCredential(
        credential(async () => {
          throw error;
        }),
        {},
        { timeoutMs: 1000, signal: live() },
      ),
    ).toEqual({ ok: false, failure: "error", error });
  });

  it("gives up when the request's signal aborts", async () => {
    const controller = new AbortController();
    const pending = validateCredential(
      credential(() => new Promise(() => {})),
      {},
      {
        timeoutMs: 60_000,
        signal: controller.signal,
      },
    );
    controller.abort();
    expect(await pending).toEqual({ ok: false, failure: "timeout" });
  });
});
