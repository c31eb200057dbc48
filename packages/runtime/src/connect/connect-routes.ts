import { createHash, randomBytes } from "node:crypto";
import express, { type Request, type Response } from "express";
import { rateLimit, type Store } from "express-rate-limit";
import type { GoogleOAuth } from "../oauth/google-oauth.ts";
import type { PendingAuthorizations } from "../oauth/pending-authorizations.ts";
import type { CredentialVault } from "../vault/credential-vault.ts";
import { OAUTH_FIELDS } from "../vault/oauth-access.ts";
import { connectedPage, formPage, messagePage, oauthPage } from "./connect-pages.ts";
import { MAX_FIELD_CHARS, readCredentialForm, toNewCredential } from "./credential-form.ts";
import type { ConnectableToolkit } from "./find-toolkit.ts";
import type { TicketClaims, TicketRefusal, TicketSigner } from "./ticket-signer.ts";
import type { UsedTickets } from "./used-tickets.ts";
import { validateCredential } from "./validate-credential.ts";

export interface ConnectRoutesDeps {
  readonly signer: TicketSigner;
  readonly usedTickets: UsedTickets;
  readonly vault: CredentialVault;
  readonly toolkits: ReadonlyMap<string, ConnectableToolkit>;
  readonly ticketTtlSeconds: number;
  readonly validateTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly rateLimitPerTicket: number;
  /**
   * Where a limiter counts, one store per prefix: the shared database in the runtime, so every
   * replica counts against one budget (`rate-limit-store.ts`).
   */
  readonly rateLimitStore: (prefix: string) => Store;
  /** The public URL is https: the CSRF cookie gets `Secure`. */
  readonly secure: boolean;
  /** Google sign-in for `oauth2` toolkits; undefined when no client is configured. */
  readonly google?: GoogleOAuth | undefined;
  readonly pendingSignIns?: PendingAuthorizations | undefined;
  /** The listener's public URL: Google's callback is read against it. */
  readonly publicUrl?: string | undefined;
}

/** The cookie half of the CSRF double submit (see `docs/architecture.md`, "Connect pages"). */
export const CSRF_COOKIE = "agentllm_connect_csrf";
/** Fields a connect form may carry: the declared ones plus ticket and CSRF token. */
const MAX_FORM_FIELDS = 64;
const RATE_WINDOW_MS = 60_000;
const ASK_AGAIN = "Ask the agent again for a fresh link.";

/** Status and words of each refused ticket. Never the form. */
const REFUSALS: Record<TicketRefusal, { status: number; heading: string; text: string }> = {
  missing: {
    status: 400,
    heading: "This link has no ticket",
    text: "A connect link carries a ticket that says who it is for; this one has none.",
  },
  malformed: {
    status: 400,
    heading: "This link is not valid",
    text: "Its ticket was cut short or changed, so it cannot say who it is for.",
  },
  "wrong-toolkit": {
    status: 403,
    heading: "This link is for another service",
    text: "The ticket in it was made for connecting a different service.",
  },
  expired: {
    status: 410,
    heading: "This link has expired",
    text: "Connect links work for a short time only, so a link found later cannot be used.",
  },
  used: {
    status: 410,
    heading: "This link was already used",
    text: "Each connect link works once; this one has connected its service already.",
  },
};

/** `GET|POST /connect/:toolkit` and `GET /connect/:toolkit/cancel`. */
export function connectRoutes(deps: ConnectRoutesDeps): express.Router {
  const router = express.Router();
  const form = express.urlencoded({
    extended: false,
    limit: deps.maxBodyBytes,
    parameterLimit: MAX_FORM_FIELDS,
  });
  // Per ticket, on top of the listener's per-IP limit: guessing a form's values against one
  // ticket (or hammering a service's check through it) stops here whatever the source address.
  const perTicket = rateLimit({
    windowMs: RATE_WINDOW_MS,
    limit: deps.rateLimitPerTicket,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    identifier: "ticket",
    store: deps.rateLimitStore("ticket:"),
    keyGenerator: (req) => ticketKey(ticketOf(req)),
    handler: tooManyRequests,
  });

  router.get("/connect/:toolkit/cancel", (_req, res) => {
    sendPage(
      res,
      200,
      messagePage({
        heading: "Cancelled",
        text: "Nothing was saved. You can close this page and go back to the chat.",
      }),
    );
  });

  router.get("/connect/:toolkit", perTicket, async (req, res) => {
    const found = await admit(req, res, deps);
    if (!found) return;
    const { toolkit, claims, ticket } = found;
    const cookie = csrfCookie(req) ?? randomBytes(32).toString("base64url");
    setCsrfCookie(res, cookie, deps);
    if (toolkit.credential.kind === "oauth2") {
      const signIn = deps.google
        ? { ticket, csrfToken: deps.signer.csrfToken(claims.id, cookie) }
        : undefined;
      sendPage(res, 200, oauthPage({ ...pageBasics(req, toolkit, claims), signIn }));
      return;
    }
    const fields = Object.entries(toolkit.credential.fields).map(([name, field]) => ({
      name,
      field,
      value: "",
    }));
    sendPage(
      res,
      200,
      formPage({
        ...pageBasics(req, toolkit, claims),
        ticket,
        csrfToken: deps.signer.csrfToken(claims.id, cookie),
        fields,
        maxFieldChars: MAX_FIELD_CHARS,
      }),
    );
  });

  router.post("/connect/:toolkit", form, perTicket, async (req, res) => {
    const found = await admit(req, res, deps);
    if (!found) return;
    const { toolkit, claims, ticket } = found;
    const body = formBody(req);
    const cookie = csrfCookie(req);
    if (!deps.signer.checkCsrf(claims.id, cookie, body.csrf)) {
      req.log.info({ toolkit: toolkit.name }, "connect form refused: CSRF check failed");
      sendPage(
        res,
        403,
        messagePage({
          heading: "This form could not be verified",
          text: "The form was not sent from the page this link opened, or your browser did not send that page's cookie, so nothing was saved.",
          hint: "Open the link from the chat again (cookies must be allowed for this page).",
        }),
      );
      return;
    }
    if (toolkit.credential.kind === "oauth2") {
      await startGoogleSignIn(req, res, deps, toolkit, claims);
      return;
    }
    const credential = toolkit.credential;
    const again = (
      status: number,
      error: string | undefined,
      errors: Record<string, string>,
      values: Record<string, string>,
    ) => {
      // The same cookie and token: the page stays valid for another try.
      sendPage(
        res,
        status,
        formPage({
          ...pageBasics(req, toolkit, claims),
          ticket,
          csrfToken: deps.signer.csrfToken(claims.id, cookie as string),
          error,
          fields: Object.entries(credential.fields).map(([name, field]) => ({
            name,
            field,
            value: values[name] ?? "",
            error: errors[name],
          })),
          maxFieldChars: MAX_FIELD_CHARS,
        }),
      );
    };

    const { values, errors } = readCredentialForm(credential, body);
    if (Object.keys(errors).length > 0) {
      again(400, "Some values need another look.", { ...errors }, { ...values });
      return;
    }
    const outcome = await validateCredential(credential, values, {
      toolkit: toolkit.name,
      timeoutMs: deps.validateTimeoutMs,
      signal: requestSignal(req, res),
    });
    if (!outcome.ok) {
      if ("failure" in outcome) {
        // The error may quote what was typed: its name only, never its message.
        req.log.warn(
          {
            toolkit: toolkit.name,
            failure: outcome.failure,
            error: (outcome.error as Error | undefined)?.name,
          },
          "connect: the toolkit's check failed",
        );
        const message =
          outcome.failure === "timeout"
            ? `${credential.title} did not answer within ${Math.ceil(deps.validateTimeoutMs / 1000)} s, so nothing was saved. Try again in a moment.`
            : `The values could not be checked with ${credential.title}, so nothing was saved. Try again in a moment.`;
        again(outcome.failure === "timeout" ? 504 : 502, message, {}, { ...values });
        return;
      }
      again(422, outcome.message, {}, { ...values });
      return;
    }

    if (!(await deps.usedTickets.claim(claims.id, claims.expiresAt))) {
      refuse(res, "used");
      return;
    }
    try {
      await deps.vault.put(
        claims.userId,
        toolkit.name,
        toNewCredential(credential, values, outcome.metadata),
      );
    } catch (error) {
      await giveTheLinkBack(req, res, deps, claims, error, {
        log: "connect: storing the credential failed",
        heading: "Not saved",
        text: `The ${credential.title} credential could not be stored just now; nothing was saved.`,
      });
      return;
    }
    req.log.info({ toolkit: toolkit.name, userId: claims.userId }, "credential connected");
    sendPage(res, 200, connectedPage(pageBasics(req, toolkit, claims)));
  });

  router.get("/oauth/callback/google", (req, res) => finishGoogleSignIn(req, res, deps));

  return router;
}

/**
 * The ticket is spent here, before the browser leaves for Google: a link starts one sign-in.
 * What the callback needs (PKCE verifier, who, which toolkit) waits in the database under the
 * random `state` Google sends back.
 */
async function startGoogleSignIn(
  req: Request,
  res: Response,
  deps: ConnectRoutesDeps,
  toolkit: ConnectableToolkit,
  claims: TicketClaims,
): Promise<void> {
  const credential = toolkit.credential;
  if (credential.kind !== "oauth2" || !deps.google || !deps.pendingSignIns) {
    sendPage(
      res,
      400,
      messagePage({
        heading: "Google sign-in is not set up",
        text: `${credential.title} is connected by signing in with Google, which this server has no client for.`,
        hint: "An operator sets GDRIVE_CLIENT_ID and GDRIVE_CLIENT_SECRET.",
      }),
    );
    return;
  }
  if (!(await deps.usedTickets.claim(claims.id, claims.expiresAt))) {
    refuse(res, "used");
    return;
  }
  try {
    const { url, pending } = await deps.google.begin(credential.scopes);
    await deps.pendingSignIns.save({
      state: pending.state,
      codeVerifier: pending.codeVerifier,
      userId: claims.userId,
      toolkit: toolkit.name,
    });
    req.log.info({ toolkit: toolkit.name }, "Google sign-in started");
    res.redirect(303, url.toString());
  } catch (error) {
    await giveTheLinkBack(req, res, deps, claims, error, {
      log: "Google sign-in could not start",
      heading: "Google sign-in could not start",
      text: "Nothing was saved.",
    });
  }
}

/**
 * Something of ours failed after the ticket was spent: un-spend it, so the same link works
 * again, and say so (503). Only the error's name is logged: its message may quote the input.
 */
async function giveTheLinkBack(
  req: Request,
  res: Response,
  deps: ConnectRoutesDeps,
  claims: TicketClaims,
  error: unknown,
  words: { log: string; heading: string; text: string },
): Promise<void> {
  await deps.usedTickets.release(claims.id);
  req.log.error({ toolkit: claims.toolkit, error: (error as Error)?.name }, words.log);
  sendPage(
    res,
    503,
    messagePage({
      heading: words.heading,
      text: words.text,
      hint: "Open the link again in a moment to retry.",
    }),
  );
}

/** Google sends the browser back here with `code` and `state` (or `error`). */
async function finishGoogleSignIn(
  req: Request,
  res: Response,
  deps: ConnectRoutesDeps,
): Promise<void> {
  const state = typeof req.query.state === "string" ? req.query.state : "";
  const pending =
    deps.google && deps.pendingSignIns && state ? await deps.pendingSignIns.take(state) : undefined;
  if (!deps.google || !pending) {
    req.log.info({ known: Boolean(pending) }, "Google callback refused: unknown or used state");
    sendPage(
      res,
      400,
      messagePage({
        heading: "This sign-in is not one we are waiting for",
        text: "It was finished already, took too long, or did not start on this server. Nothing was saved.",
        hint: ASK_AGAIN,
      }),
    );
    return;
  }
  const toolkit = deps.toolkits.get(pending.toolkit);
  const title = toolkit?.credential.title ?? pending.toolkit;
  // Where Google sent the browser, as Google saw it: the public URL, not the socket's address.
  const callbackUrl = new URL(req.originalUrl, deps.publicUrl);
  let grant: Awaited<ReturnType<GoogleOAuth["finish"]>>;
  try {
    grant = await deps.google.finish(callbackUrl, pending);
  } catch (error) {
    const denied = (error as Error).name === "ConsentDeniedError";
    req.log.info(
      { toolkit: pending.toolkit, error: (error as Error).name },
      "Google sign-in did not finish",
    );
    sendPage(
      res,
      denied ? 403 : 502,
      messagePage({
        heading: denied ? "Google access was not given" : "Google sign-in did not finish",
        text: denied
          ? `${title} stays disconnected; nothing was saved.`
          : `Google's answer could not be used, so ${title} stays disconnected.`,
        hint: ASK_AGAIN,
      }),
    );
    return;
  }
  try {
    await deps.vault.put(pending.userId, pending.toolkit, {
      kind: "oauth2",
      secrets: {
        [OAUTH_FIELDS.refreshToken]: grant.refreshToken,
        [OAUTH_FIELDS.accessToken]: grant.accessToken,
      },
      metadata: {
        [OAUTH_FIELDS.expiresAt]: String(grant.expiresAt),
        [OAUTH_FIELDS.scopes]: grant.scopes.join(" "),
        ...(grant.email ? { [OAUTH_FIELDS.email]: grant.email } : {}),
      },
    });
  } catch (error) {
    req.log.error(
      { toolkit: pending.toolkit, error: (error as Error).name },
      "connect: storing the credential failed",
    );
    sendPage(
      res,
      503,
      messagePage({
        heading: "Not saved",
        text: `The ${title} access could not be stored just now; nothing was saved.`,
        hint: ASK_AGAIN,
      }),
    );
    return;
  }
  req.log.info({ toolkit: pending.toolkit, userId: pending.userId }, "credential connected");
  sendPage(res, 200, connectedPage({ service: title, userId: pending.userId }));
}

/** The toolkit, then the ticket: signed, for this toolkit, unexpired, unused. Else its page. */
async function admit(
  req: Request,
  res: Response,
  deps: ConnectRoutesDeps,
): Promise<{ toolkit: ConnectableToolkit; claims: TicketClaims; ticket: string } | undefined> {
  const toolkit = deps.toolkits.get(String(req.params.toolkit));
  if (!toolkit) {
    sendNotFound(res);
    return undefined;
  }
  const ticket = ticketOf(req);
  const check = deps.signer.verify(ticket, toolkit.name);
  if (!check.ok) {
    req.log.info({ toolkit: toolkit.name, reason: check.reason }, "connect ticket refused");
    refuse(res, check.reason, deps.ticketTtlSeconds);
    return undefined;
  }
  if (await deps.usedTickets.isUsed(check.claims.id)) {
    req.log.info({ toolkit: toolkit.name, reason: "used" }, "connect ticket refused");
    refuse(res, "used");
    return undefined;
  }
  return { toolkit, claims: check.claims, ticket: ticket as string };
}

function pageBasics(req: Request, toolkit: ConnectableToolkit, claims: TicketClaims) {
  return {
    service: toolkit.credential.title,
    userId: claims.userId,
    cancelHref: `${encodeURIComponent(String(req.params.toolkit))}/cancel`,
  };
}

function refuse(res: Response, reason: TicketRefusal, ttlSeconds?: number): void {
  const words = REFUSALS[reason];
  const text =
    reason === "expired" && ttlSeconds
      ? `Connect links work for ${Math.round(ttlSeconds / 60)} minutes only; this one is older.`
      : words.text;
  sendPage(res, words.status, messagePage({ heading: words.heading, text, hint: ASK_AGAIN }));
}

export function sendNotFound(res: Response): void {
  sendPage(
    res,
    404,
    messagePage({
      heading: "Not found",
      text: "There is no such page here. Connect links name a service this runtime knows.",
      hint: ASK_AGAIN,
    }),
  );
}

export function sendPage(res: Response, status: number, body: string): void {
  res.status(status).type("html").send(body);
}

function tooManyRequests(_req: Request, res: Response): void {
  sendPage(
    res,
    429,
    messagePage({
      heading: "Too many tries",
      text: "This page was asked for too often in the last minute.",
      hint: "Wait a minute, then open the link again.",
    }),
  );
}

/** The ticket from the form (POST) or the link (GET). */
function ticketOf(req: Request): unknown {
  const fromBody = formBody(req).ticket;
  return fromBody !== undefined ? fromBody : req.query.ticket;
}

function formBody(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body !== null && typeof body === "object" ? (body as Record<string, unknown>) : {};
}

/** A limiter key for any ticket-ish value: hashed, so neither the database nor logs hold tickets. */
function ticketKey(ticket: unknown): string {
  const text = typeof ticket === "string" ? ticket : "";
  return createHash("sha256").update(text).digest("base64url");
}

function csrfCookie(req: Request): string | undefined {
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const [name, value] = part.trim().split("=", 2);
    if (name === CSRF_COOKIE && value && /^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  }
  return undefined;
}

function setCsrfCookie(res: Response, value: string, deps: ConnectRoutesDeps): void {
  res.cookie(CSRF_COOKIE, value, {
    httpOnly: true,
    sameSite: "strict",
    secure: deps.secure,
    path: "/",
    maxAge: deps.ticketTtlSeconds * 1000,
  });
}

/** Aborts when the browser goes away before the answer is sent. */
function requestSignal(req: Request, res: Response): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  req.on("aborted", () => controller.abort());
  return controller.signal;
}
