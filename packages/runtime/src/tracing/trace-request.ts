import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { tracer } from "./tracer.ts";

/** The routes a span is named after; anything else is named by its method alone (no raw paths). */
const ROUTES = new Set(["/v1/chat/completions", "/v1/models"]);

declare global {
  namespace Express {
    interface Locals {
      /** The request's server span in its context; see {@link inTraceContext}. */
      traceContext?: Context;
    }
  }
}

/**
 * One server span per request, continuing the bridge's W3C `traceparent` (a malformed one is
 * ignored and the span starts a new trace). It records the method, route, status and whether
 * the client left early; never headers, body, user or session ids.
 */
export function traceRequest(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const route = ROUTES.has(req.path) ? req.path : undefined;
    const span = tracer.startSpan(
      route ? `${req.method} ${route}` : req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          "http.request.method": req.method,
          ...(route ? { "http.route": route } : {}),
          "agentllm.request_id": req.requestId,
        },
      },
      parent,
    );
    res.on("close", () => {
      span.setAttribute("http.response.status_code", res.statusCode);
      if (!res.writableFinished) span.setAttribute("agentllm.client_disconnected", true);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const active = trace.setSpan(parent, span);
    res.locals.traceContext = active;
    context.with(active, next);
  };
}

/**
 * Runs a handler inside the request's span context. Needed because the body parser's stream
 * callbacks run in the socket's async context, not the one the middleware entered.
 */
export function inTraceContext(handler: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const active = res.locals.traceContext;
    return active ? context.with(active, () => handler(req, res, next)) : handler(req, res, next);
  };
}
