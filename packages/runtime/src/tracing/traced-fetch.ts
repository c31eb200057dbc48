import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { inSpan } from "./tracer.ts";

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * `fetch` with a client span per request, under the span active when it is called (a tool's):
 * the method, the host and port, the path as a template ({@link routeTemplate}) and the
 * response's status. Never the query string (a JQL search holds the user's words), the headers
 * (tokens), or a body. Without tracing the span is a no-op. The response is returned as it came:
 * the span ends when the headers arrive, not when the body has been read.
 */
export function tracedFetch(fetchImpl: FetchLike = fetch): FetchLike {
  return async (input, init) => {
    const url = new URL(input);
    const method = (init.method ?? "GET").toUpperCase();
    const template = routeTemplate(url.pathname);
    return inSpan(
      `${method} ${template}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "http.request.method": method,
          "server.address": url.hostname,
          "server.port": Number(url.port) || (url.protocol === "https:" ? 443 : 80),
          "url.template": template,
        },
      },
      async (span) => {
        const response = await fetchImpl(input, init);
        span.setAttribute("http.response.status_code", response.status);
        if (response.status >= 400) {
          span.setAttribute("error.type", String(response.status));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        return response;
      },
    );
  };
}

/**
 * The runtime's traced `fetch` for every HTTP request it makes on a user's behalf: tools
 * (`ToolContext.fetch`), credential checks, OAuth. It looks the global `fetch` up per call, so a
 * test that replaces it still sees every request.
 */
export const runtimeFetch: FetchLike = tracedFetch((input, init) => fetch(input, init));

/** Longest path template recorded; a longer one is cut (paths are not user text, but unbounded). */
export const MAX_TEMPLATE_CHARS = 200;

/**
 * A URL path with every segment that may be an id or a name replaced by `{id}`: kept are only
 * lowercase API words (`rest`, `issue`, `search`, `files`, `oauth2`, `v3`) and a version right
 * after `api` or `agile` (`/rest/api/2`, `/rest/agile/1.0`). An issue key (`DEMO-1`), a numeric
 * id, a Drive file id or anything percent-encoded becomes `{id}`.
 */
export function routeTemplate(pathname: string): string {
  const segments = pathname.split("/");
  const template = segments.map((segment, index) => {
    if (segment === "") return segment;
    if (/^[a-z][a-z_-]*\d{0,2}$/.test(segment) && segment.length <= 40) return segment;
    const previous = segments[index - 1];
    if ((previous === "api" || previous === "agile") && /^\d{1,2}(\.\d{1,2})?$/.test(segment))
      return segment;
    return "{id}";
  });
  return template.join("/").slice(0, MAX_TEMPLATE_CHARS) || "/";
}
