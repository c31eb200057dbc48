import express from "express";
import type { AgentRegistry } from "../agents/registry.ts";
import type { TurnDeps } from "../conversation/run-turn.ts";
import type { Logger } from "../logger.ts";
import { countRequests, serveMetrics } from "../metrics/count-requests.ts";
import type { RuntimeMetrics } from "../metrics/runtime-metrics.ts";
import { inTraceContext, traceRequest } from "../tracing/trace-request.ts";
import { type AdmissionControl, admitRequest, countBodyBytes } from "./admission/index.ts";
import { type Drain, refuseWhileDraining } from "./drain.ts";
import { errorHandler, notFound } from "./error-handler.ts";
import { parseJsonBody } from "./parse-json-body.ts";
import { requestContext } from "./request-context.ts";
import { requireRuntimeToken } from "./require-runtime-token.ts";
import { chatCompletions } from "./routes/chat-completions.ts";
import { healthz, readyz } from "./routes/health.ts";
import { listModels } from "./routes/models.ts";

export interface AppDeps {
  readonly logger: Logger;
  readonly runtimeToken: string;
  readonly maxBodyBytes: number;
  readonly registry: AgentRegistry;
  readonly turn: TurnDeps;
  readonly ready: () => Promise<void>;
  /** Bounds runs and in-flight bytes; none: unbounded (tests of other parts). */
  readonly admission?: AdmissionControl | undefined;
  /** The runtime's Prometheus series; none: no `/metrics` (tests of other parts). */
  readonly metrics?: RuntimeMetrics | undefined;
  /** Graceful shutdown: refuses new requests and tracks runs; none: no drain (tests of other parts). */
  readonly drain?: Drain | undefined;
}

/** The runtime's internal API: the bridge's only door in. Order matters: probes, auth, body, routes. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(requestContext(deps.logger));
  if (deps.metrics) app.use(countRequests(deps.metrics));
  app.get("/healthz", healthz);
  app.get(
    "/readyz",
    // Not ready from the first moment of a drain, so the proxy stops sending chats here.
    readyz(deps.ready, () => deps.drain?.draining ?? false),
  );
  // Without the token, like the probes: Prometheus scrapes the internal port (docs/security.md).
  if (deps.metrics) app.get("/metrics", serveMetrics(deps.metrics));
  // Probes and the scrape are not traced: they would bury the requests in noise.
  app.use(traceRequest());
  app.use(requireRuntimeToken(deps.runtimeToken));
  if (deps.drain) app.use(refuseWhileDraining(deps.drain));
  if (deps.admission) app.use(admitRequest(deps.admission, deps.maxBodyBytes));
  app.use(parseJsonBody(deps.maxBodyBytes, deps.admission && countBodyBytes));
  app.get("/v1/models", listModels(deps.registry, Date.now()));
  app.post("/v1/chat/completions", inTraceContext(chatCompletions(deps)));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}
