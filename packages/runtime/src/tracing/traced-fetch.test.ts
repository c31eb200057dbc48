import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_TEMPLATE_CHARS, routeTemplate, tracedFetch } from "./traced-fetch.ts";
import { tracer } from "./tracer.ts";

describe("routeTemplate", () => {
  it.each([
    ["/rest/api/2/issue/DEMO-1", "/rest/api/2/issue/{id}"],
    ["/rest/api/3/search/jql", "/rest/api/3/search/jql"],
    ["/rest/agile/1.0/board/42/sprint", "/rest/agile/1.0/board/{id}/sprint"],
    ["/rest/agile/1.0/sprint/7", "/rest/agile/1.0/sprint/{id}"],
    ["/rest/api/2/project/DEMO/versions", "/rest/api/2/project/{id}/versions"],
    ["/drive/v3/files/1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT", "/drive/v3/files/{id}"],
    ["/drive/v3/files/abc/export", "/drive/v3/files/abc/export"],
    ["/token", "/token"],
    ["/o/oauth2/token", "/o/oauth2/token"],
    ["/rest/api/2/user/Dana%20Scully", "/rest/api/2/user/{id}"],
    ["/", "/"],
  ])("%s → %s", (path, template) => {
    expect(routeTemplate(path)).toBe(template);
  });

  it(`cuts a template at ${MAX_TEMPLATE_CHARS} characters`, () => {
    const long = `/${"segment/".repeat(40)}`;
    expect(routeTemplate(long)).toHaveLength(MAX_TEMPLATE_CHARS);
    expect(routeTemplate(long.slice(0, MAX_TEMPLATE_CHARS))).toHaveLength(MAX_TEMPLATE_CHARS);
  });
});

describe("tracedFetch", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());
  beforeEach(() => exporter.reset());

  const answering =
    (status: number) =>
    async (_input: string, _init: RequestInit): Promise<Response> =>
      new Response("{}", { status });

  it("records a client span under the active one: method, host, template, status; no query or header", async () => {
    const fetch = tracedFetch(answering(200));
    await tracer.startActiveSpan("tool get_issue", async (tool) => {
      const response = await fetch(
        "https://jira.example.test:8443/rest/api/2/search?jql=summary~%22MARMALADE%22",
        { method: "get", headers: { authorization: "Bearer planted-secret" } },
      );
      expect(response.status).toBe(200);
      tool.end();
    });
    const [client, tool] = exporter.getFinishedSpans();
    expect(client?.name).toBe("GET /rest/api/2/search");
    expect(client?.kind).toBe(SpanKind.CLIENT);
    expect(client?.parentSpanContext?.spanId).toBe(tool?.spanContext().spanId);
    expect(client?.attributes).toEqual({
      "http.request.method": "GET",
      "server.address": "jira.example.test",
      "server.port": 8443,
      "url.template": "/rest/api/2/search",
      "http.response.status_code": 200,
    });
    const recorded = JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes));
    expect(recorded).not.toContain("MARMALADE");
    expect(recorded).not.toContain("planted-secret");
  });

  it("marks an error status and a network failure by their type only", async () => {
    await tracedFetch(answering(404))("https://jira.example.test/rest/api/2/issue/DEMO-9", {});
    const failing = tracedFetch(async () => {
      throw new TypeError("fetch failed for https://jira.example.test/?jql=MARMALADE");
    });
    await expect(failing("https://jira.example.test/rest/api/2/myself", {})).rejects.toThrow();
    const [notFound, failed] = exporter.getFinishedSpans();
    expect(notFound?.attributes).toMatchObject({
      "http.response.status_code": 404,
      "error.type": "404",
      "server.port": 443,
    });
    expect(notFound?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes["error.type"]).toBe("TypeError");
    expect(JSON.stringify([failed?.attributes, failed?.events, failed?.status])).not.toContain(
      "MARMALADE",
    );
  });
});
