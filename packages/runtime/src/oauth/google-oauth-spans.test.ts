import type { FakeGoogle } from "@agentllm/testkit";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DRIVE_SCOPE as DRIVE, googleOAuthOnFake } from "../testing/google-oauth-on-fake.ts";
import { recordSpans } from "../testing/recorded-spans.ts";
import { tracer } from "../tracing/tracer.ts";
import type { GoogleOAuth } from "./google-oauth.ts";

// The OAuth flow through openid-client against the testkit's fake Google, with a local tracer
// provider: each operation is a span, its request to Google a traced-fetch client span below it.

describe("GoogleOAuth spans", () => {
  const spans = recordSpans();
  let google: FakeGoogle;
  let oauth: GoogleOAuth;
  let consentScreen: (url: URL) => Promise<URL>;

  beforeAll(async () => {
    spans.provider.register();
    ({ google, oauth, consent: consentScreen } = await googleOAuthOnFake());
  });
  afterAll(async () => {
    await google.close();
    await spans.provider.shutdown();
  });
  beforeEach(() => spans.exporter.reset());

  it("traces the code exchange, a refresh under the tool's span and a revoked grant, with no token, code or secret in any span", async () => {
    const { url, pending } = await oauth.begin([DRIVE]);
    const back = await consentScreen(url);
    const grant = await oauth.finish(back, pending);
    google.expireAccessTokens();
    const fresh = await tracer.startActiveSpan("tool list_files", async (tool) => {
      try {
        return await oauth.refresh(grant.refreshToken);
      } finally {
        tool.end();
      }
    });
    await oauth.revoke(grant.refreshToken);
    await expect(oauth.refresh(grant.refreshToken)).rejects.toThrow();

    const finished = spans.finished();
    const byName = (name: string) => finished.filter((span) => span.name === name);
    const [exchange] = byName("oauth google code_exchange");
    const [refresh, refused] = byName("oauth google refresh");
    const [revoke] = byName("oauth google revoke");
    const [tool] = byName("tool list_files");
    const tokenCalls = byName("POST /token");
    expect(tokenCalls).toHaveLength(3);

    // The exchange at the callback is a trace of its own; its token request is its child.
    expect(exchange?.parentSpanContext).toBeUndefined();
    expect(exchange?.attributes).toEqual({
      "agentllm.oauth.provider": "google",
      "agentllm.oauth.operation": "code_exchange",
    });
    const [exchangeCall, refreshCall, refusedCall] = tokenCalls;
    expect(exchangeCall?.parentSpanContext?.spanId).toBe(exchange?.spanContext().spanId);
    expect(exchangeCall?.kind).toBe(SpanKind.CLIENT);
    expect(exchangeCall?.attributes).toMatchObject({
      "http.request.method": "POST",
      "server.address": "127.0.0.1",
      "url.template": "/token",
      "http.response.status_code": 200,
    });

    // The refresh happens inside the tool that needed the token.
    expect(refresh?.parentSpanContext?.spanId).toBe(tool?.spanContext().spanId);
    expect(refreshCall?.parentSpanContext?.spanId).toBe(refresh?.spanContext().spanId);
    expect(revoke?.status.code).not.toBe(SpanStatusCode.ERROR);

    // A dead grant: Google's 400 on the request, the error's class on the operation.
    expect(refusedCall?.parentSpanContext?.spanId).toBe(refused?.spanContext().spanId);
    expect(refusedCall?.attributes["error.type"]).toBe("400");
    expect(refused?.attributes["error.type"]).toBe("GrantRevokedError");
    expect(refused?.status.code).toBe(SpanStatusCode.ERROR);

    const exported = spans.exportedText();
    const secrets = {
      code: back.searchParams.get("code") ?? "",
      state: pending.state,
      codeVerifier: pending.codeVerifier,
      refreshToken: grant.refreshToken,
      accessToken: grant.accessToken,
      freshAccessToken: fresh.accessToken,
      clientSecret: "fake-google-client-secret",
      email: "ada@example.test",
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length, name).toBeGreaterThan(0);
      expect(exported.includes(secret), `${name} in the exported spans`).toBe(false);
    }
  });

  it("marks a denied consent on the exchange's span by its class", async () => {
    google.setConsent({ allow: false });
    try {
      const { url, pending } = await oauth.begin([DRIVE]);
      await expect(oauth.finish(await consentScreen(url), pending)).rejects.toThrow();
    } finally {
      google.setConsent({ allow: true });
    }
    const [exchange] = spans.finished().filter((s) => s.name === "oauth google code_exchange");
    expect(exchange?.attributes["error.type"]).toBe("ConsentDeniedError");
    expect(exchange?.status.message).toBeUndefined();
  });
});
