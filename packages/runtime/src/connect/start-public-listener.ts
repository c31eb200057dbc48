import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Kysely } from "kysely";
import type { AgentRegistry } from "../agents/registry.ts";
import type { PublicListenerConfig } from "../config.ts";
import type { Database } from "../database/schema.ts";
import type { Logger } from "../logger.ts";
import { GoogleOAuth } from "../oauth/google-oauth.ts";
import { PendingAuthorizations } from "../oauth/pending-authorizations.ts";
import type { CredentialVault } from "../vault/credential-vault.ts";
import type { ConnectLinks } from "./connect-links.ts";
import { connectableToolkits } from "./find-toolkit.ts";
import { createPublicApp } from "./public-app.ts";
import { KyselyRateLimitStore } from "./rate-limit-store.ts";
import { TicketConnectLinks } from "./ticket-connect-links.ts";
import { TicketSigner } from "./ticket-signer.ts";
import { KyselyUsedTickets } from "./used-tickets.ts";

/** How long a Google sign-in may take, from the button to Google's callback. */
const SIGN_IN_TTL_MS = 10 * 60_000;
/** Idle keep-alive connections of browsers: a page and its form post, then gone. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Headers come first and are small; a client slower than this is not a browser. */
const MAX_HEADERS_TIMEOUT_MS = 10_000;

export interface PublicListener {
  /** Where browsers reach it: the configured public URL, or `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The address it listens on. */
  readonly address: string;
  readonly links: ConnectLinks;
  /** Google sign-in (also renews access tokens); undefined when no client is configured. */
  readonly google: GoogleOAuth | undefined;
  close(): Promise<void>;
}

export interface PublicListenerDeps {
  readonly config: PublicListenerConfig;
  /** The key tickets and CSRF tokens are signed with (derived from the vault's first key). */
  readonly ticketKey: Uint8Array;
  readonly db: Kysely<Database>;
  readonly registry: AgentRegistry;
  readonly vault: CredentialVault;
  readonly logger: Logger;
}

/** Starts the connect pages on their own server, port and limits. */
export async function startPublicListener(deps: PublicListenerDeps): Promise<PublicListener> {
  const { config } = deps;
  const signer = new TicketSigner({
    key: deps.ticketKey,
    ttlSeconds: config.ticketTtlSeconds,
  });
  const secure = config.url?.startsWith("https:") ?? false;
  const headersTimeout = Math.min(MAX_HEADERS_TIMEOUT_MS, config.requestTimeoutMs);
  // Listen first: the public URL (and so Google's redirect URI) may depend on the bound port.
  const server = createServer({
    headersTimeout,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 4))),
  });
  server.maxConnections = config.maxConnections;
  await listen(server, config.host, config.port);
  const bound = server.address() as AddressInfo;
  const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
  const url = config.url ?? `http://127.0.0.1:${bound.port}`;
  const google = config.google
    ? new GoogleOAuth({
        clientId: config.google.clientId,
        clientSecret: config.google.clientSecret,
        redirectUri: `${url.replace(/\/+$/, "")}/oauth/callback/google`,
        baseUrl: config.google.baseUrl,
      })
    : undefined;
  const app = createPublicApp({
    logger: deps.logger.child({ listener: "public" }),
    signer,
    usedTickets: new KyselyUsedTickets(deps.db),
    vault: deps.vault,
    toolkits: connectableToolkits(deps.registry),
    ticketTtlSeconds: config.ticketTtlSeconds,
    validateTimeoutMs: config.validateTimeoutMs,
    maxBodyBytes: config.maxBodyBytes,
    rateLimitPerIp: config.rateLimitPerIp,
    trustedProxies: config.trustedProxies,
    rateLimitPerTicket: config.rateLimitPerTicket,
    // In the database, not in memory: replicas on one Postgres share each budget.
    rateLimitStore: (prefix) => new KyselyRateLimitStore(deps.db, { prefix }),
    secure,
    google,
    pendingSignIns: google
      ? new PendingAuthorizations(deps.db, { ttlMs: SIGN_IN_TTL_MS })
      : undefined,
    publicUrl: url,
    // The sign-in form posts here, then the browser is sent on to Google's consent page:
    // form-action must allow that origin too, or the browser stops the redirect.
    formTargets: google ? [google.authorizationOrigin] : [],
  });
  server.on("request", app);
  let closing: Promise<void> | undefined;
  return {
    url,
    address: `http://${host}:${bound.port}`,
    links: new TicketConnectLinks(url, signer),
    google,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
