import type { ApiTokenCredential } from "@agentllm/sdk";
import { type FakeJira, seedUsers, startFakeJira } from "@agentllm/testkit";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recordSpans } from "../testing/recorded-spans.ts";
import { validateCredential } from "./validate-credential.ts";

function credential(validate: ApiTokenCredential["validate"]): ApiTokenCredential {
  return { kind: "api-token", title: "Jira", fields: {}, ...(validate ? { validate } : {}) };
}

const live = () => new AbortController().signal;

describe("validateCredential", () => {
  it("takes the values as given without a validate", async () => {
    expect(
      await validateCredential(
        credential(undefined),
        {},
        { toolkit: "jira", timeoutMs: 10, signal: live() },
      ),
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
      { toolkit: "jira", timeoutMs: 1000, signal: live() },
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
      { toolkit: "jira", timeoutMs: 20, signal: live() },
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
        { toolkit: "jira", timeoutMs: 1000, signal: live() },
      ),
    ).toEqual({ ok: false, failure: "error", error });
  });

  it("gives up when the request's signal aborts", async () => {
    const controller = new AbortController();
    const pending = validateCredential(
      credential(() => new Promise(() => {})),
      {},
      {
        toolkit: "jira",
        timeoutMs: 60_000,
        signal: controller.signal,
      },
    );
    controller.abort();
    expect(await pending).toEqual({ ok: false, failure: "timeout" });
  });
});

describe("validateCredential spans", () => {
  const spans = recordSpans();
  let jira: FakeJira;
  beforeAll(async () => {
    spans.provider.register();
    jira = await startFakeJira({ flavour: "server" });
  });
  afterAll(async () => {
    await jira.close();
    await spans.provider.shutdown();
  });
  beforeEach(() => spans.exporter.reset());

  /** Jira's connect-time check in miniature: `/myself` with the token, through the given fetch. */
  const jiraCheck = credential(async (values, ctx) => {
    const response = await (ctx.fetch ?? fetch)(
      `${jira.url}/rest/api/2/myself?expand=${values.token}`,
      { headers: { authorization: `Bearer ${values.token}` }, signal: ctx.signal },
    );
    return response.ok ? { ok: true } : { ok: false, message: `Jira refused ${values.token}` };
  });
  const check = (token: string) =>
    validateCredential(jiraCheck, { token }, { toolkit: "jira", timeoutMs: 5_000, signal: live() });

  it("records the check and its request to Jira through the runtime's fetch, with no token in any span", async () => {
    const dana = seedUsers[0] as (typeof seedUsers)[number];
    expect(await check(dana.token)).toEqual({ ok: true });
    expect(await check("fake-jira-token-wrong-0009")).toMatchObject({ ok: false });

    const [okCall, okCheck, refusedCall, refusedCheck] = spans.finished();
    expect(okCheck?.name).toBe("credential check jira");
    expect(okCheck?.kind).toBe(SpanKind.INTERNAL);
    expect(okCheck?.attributes).toEqual({
      "agentllm.toolkit": "jira",
      "agentllm.credential_check.outcome": "ok",
    });
    expect(okCall?.name).toBe("GET /rest/api/2/myself");
    expect(okCall?.kind).toBe(SpanKind.CLIENT);
    expect(okCall?.parentSpanContext?.spanId).toBe(okCheck?.spanContext().spanId);
    expect(okCall?.attributes["http.response.status_code"]).toBe(200);
    // A refusal is the user's token, not a fault: no error status on the check.
    expect(refusedCheck?.attributes["agentllm.credential_check.outcome"]).toBe("refused");
    expect(refusedCheck?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(refusedCall?.attributes["error.type"]).toBe("401");

    const exported = spans.exportedText();
    expect(exported).not.toContain(dana.token);
    expect(exported).not.toContain("fake-jira-token-wrong-0009");
  });

  it("marks a check that failed or ran out of time, by kind only", async () => {
    const failing = credential(async () => {
      throw new TypeError("cannot reach https://jira.example.test?token=planted-secret");
    });
    await validateCredential(failing, {}, { toolkit: "jira", timeoutMs: 1000, signal: live() });
    const hanging = credential(() => new Promise(() => {}));
    await validateCredential(hanging, {}, { toolkit: "jira", timeoutMs: 20, signal: live() });
    const [failed, timedOut] = spans.finished();
    expect(failed?.attributes).toMatchObject({
      "agentllm.credential_check.outcome": "error",
      "error.type": "TypeError",
    });
    expect(timedOut?.attributes).toMatchObject({
      "agentllm.credential_check.outcome": "timeout",
      "error.type": "timeout",
    });
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(spans.exportedText()).not.toContain("planted-secret");
  });

  it("makes no span when the toolkit has no check", async () => {
    await validateCredential(
      credential(undefined),
      {},
      {
        toolkit: "jira",
        timeoutMs: 10,
        signal: live(),
      },
    );
    expect(spans.finished()).toEqual([]);
  });
});
