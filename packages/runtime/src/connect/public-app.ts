import express, { type NextFunction, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import helmet from "helmet";
import { requestContext } from "../http/request-context.ts";
import { healthz } from "../http/routes/health.ts";
import type { Logger } from "../logger.ts";
import { messagePage } from "./connect-pages.ts";
import { type ConnectRoutesDeps, connectRoutes, sendNotFound, sendPage } from "./connect-routes.ts";
import { RateLimitStoreError } from "./rate-limit-store-error.ts";
import type { TrustedProxies } from "./trusted-proxies.ts";

export interface PublicAppDeps extends ConnectRoutesDeps {
  readonly logger: Logger;
  readonly rateLimitPerIp: number;
  /** Whose `X-Forwarded-For` names the client; default none (the TCP peer is the client). */
  readonly trustedProxies?: TrustedProxies;
  /** Origins a form may lead to besides this one (Google's consent page after a redirect). */
  readonly formTargets?: readonly string[];
}

/**
 * The runtime's public listener: what a user's browser reaches. Only the connect pages (and,
 * with the OAuth work, its callbacks) and `/healthz`; never the internal API, which has its own
 * server, port and token. Everything here is HTML for people; failures are pages, not JSON.
 */
export function createPublicApp(deps: PublicAppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  // What `req.ip` (the per-address limit's key) is: the peer, or the client a trusted proxy names.
  app.set("trust proxy", deps.trustedProxies ?? false);
  app.use(requestContext(deps.logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: ["'unsafe-inline'"],
          formAction: ["'self'", ...(deps.formTargets ?? [])],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      referrerPolicy: { policy: "no-referrer" },
      // Only over https: a browser ignores it on http, and it would pin a name to https.
      strictTransportSecurity: deps.secure ? { maxAge: 31_536_000 } : false,
    }),
  );
  app.use((_req, res, next) => {
    // Pages carry tickets and typed values: no cache may keep them.
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  app.get("/healthz", healthz);
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: deps.rateLimitPerIp,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      identifier: "ip",
      store: deps.rateLimitStore("ip:"),
      // Without trusted proxies a client's X-Forwarded-For is ignored, not an error to log.
      validate: { xForwardedForHeader: false },
      handler: (_req, res) =>
        sendPage(
          res,
          429,
          messagePage({
            heading: "Too many requests",
            text: "This address asked for too many pages in the last minute.",
            hint: "Wait a minute, then open the link again.",
          }),
        ),
    }),
  );
  app.use(connectRoutes(deps));
  app.use((_req: Request, res: Response) => sendNotFound(res));
  app.use(publicErrorPage);
  return app;
}

/** The one error page of the public listener: body-parser failures by name, the rest a 500. */
function publicErrorPage(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const failure = error as { type?: string; status?: number; expose?: boolean };
  if (res.headersSent) {
    res.end();
    return;
  }
  if (failure?.type === "entity.too.large") {
    sendPage(
      res,
      413,
      messagePage({
        heading: "Too much was sent",
        text: `A connect form takes at most ${bodyLimit(error)} bytes; nothing was saved.`,
        hint: "Check what was pasted into the form, then open the link again.",
      }),
    );
    return;
  }
  if (failure?.type === "parameters.too.many") {
    sendPage(
      res,
      413,
      messagePage({
        heading: "Too many fields",
        text: "The form carried more fields than a connect form has; nothing was saved.",
      }),
    );
    return;
  }
  if (failure?.expose === true && typeof failure.status === "number" && failure.status < 500) {
    sendPage(
      res,
      400,
      messagePage({
        heading: "The form could not be read",
        text: "Nothing was saved.",
        hint: "Open the link again.",
      }),
    );
    return;
  }
  if (error instanceof RateLimitStoreError) {
    // Refused, not served uncounted (see the error's class); only names: no key, no query.
    req.log.error(
      { error: error.name, cause: (error.cause as Error | undefined)?.name },
      "connect page refused: its rate-limit count failed",
    );
    sendPage(
      res,
      503,
      messagePage({
        heading: "Try again in a moment",
        text: "The server could not check how often this page was asked for, so it was not shown.",
        hint: "Open the link again in a moment.",
      }),
    );
    return;
  }
  req.log.error({ err: error }, "connect page failed");
  sendPage(
    res,
    500,
    messagePage({
      heading: "Something went wrong",
      text: `The page failed; nothing was saved. Request id: ${req.requestId}.`,
      hint: "Ask the agent again for a fresh link.",
    }),
  );
}

function bodyLimit(error: unknown): string {
  const limit = (error as { limit?: number }).limit;
  return typeof limit === "number" ? String(limit) : "a few thousand";
}
