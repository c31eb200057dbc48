import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { boardSprints, getSprint, listBoards, sprintIssues } from "./agile-routes.ts";
import {
  CLOUD_UNAUTHENTICATED,
  ISSUE_NOT_FOUND,
  jiraError,
  SERVER_UNAUTHENTICATED,
} from "./jira-error.ts";
import {
  approximateCount,
  getIssue,
  type JiraFlavour,
  myself,
  projectVersions,
  type RouteContext,
  type RouteResult,
  type SearchParams,
  searchJql,
  searchWithTotal,
} from "./routes.ts";
import {
  type FakeIssue,
  type FakeJiraUser,
  type FakeVersion,
  seedIssues,
  seedUsers,
  seedVersions,
} from "./seed.ts";
import { type FakeBoard, type FakeSprint, seedBoards, seedSprints } from "./sprint-seed.ts";
import { addComment, createIssue, type FakeJiraWrite, updateIssue } from "./write-routes.ts";

export interface FakeJiraOptions {
  /**
   * `cloud`: REST v2 and v3 (v3 in Atlassian Document Format), Basic `email:api-token`.
   * `server` (Server/Data Center): REST v2 only, `Authorization: Bearer <personal access token>`.
   */
  readonly flavour: JiraFlavour;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Default: `seedUsers`. */
  readonly users?: readonly FakeJiraUser[];
  /** Default: `seedIssues`. */
  readonly issues?: readonly FakeIssue[];
  /** Default: `seedVersions`. */
  readonly versions?: readonly FakeVersion[];
  /** Default: `seedBoards` and `seedSprints` (Jira Software's Agile API). */
  readonly boards?: readonly FakeBoard[];
  readonly sprints?: readonly FakeSprint[];
  /**
   * The most issues a search page holds, whatever `maxResults` asks: Jira's own caps are 100 on
   * Cloud (with fields) and 1000 on Data Center (the defaults); tests lower it to page sooner.
   */
  readonly searchPageLimit?: number;
  /** One line per finished request, e.g. for the CLI's stderr. */
  readonly log?: (line: string) => void;
  /**
   * How long every answer waits before it is sent, like a real Jira's latency (the benchmark's
   * tool-heavy step uses 200 ms); 0 (the default) to {@link MAX_RESPONSE_DELAY_MS}.
   */
  readonly responseDelayMs?: number;
}

/** A fake slower than this would only stall the tests that use it. */
export const MAX_RESPONSE_DELAY_MS = 60_000;

/** What the next request gets instead of its answer (see `FakeJira.failNext`). */
export type FakeJiraFault =
  | { readonly status: 403 | 500 | 502 | 503 }
  | { readonly status: 429; readonly retryAfterSeconds: number }
  /** Never answers: for timeouts. The connection is closed by the client or `close()`. */
  | { readonly hang: true };

export interface RecordedJiraRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** How the request authenticated; the user's id when it did. Never the token. */
  readonly auth: { readonly scheme: string; readonly userId: string | undefined };
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  status: number | undefined;
  /** The JSON body of a POST or PUT. */
  body?: unknown;
}

export interface FakeJira {
  readonly url: string;
  readonly flavour: JiraFlavour;
  readonly users: readonly FakeJiraUser[];
  readonly requests: readonly RecordedJiraRequest[];
  /** Every comment, created issue and update the fake accepted, in order; reads see them too. */
  readonly writes: readonly FakeJiraWrite[];
  /** Queues a fault for the next request (FIFO, one request each). */
  failNext(...faults: FakeJiraFault[]): void;
  reset(): void;
  close(): Promise<void>;
}

const JSON_TYPE = "application/json;charset=UTF-8";
const ROUTE =
  /^\/rest\/api\/(2|3)\/(myself|issue|issue\/([^/]+)|issue\/([^/]+)\/comment|search|search\/jql|search\/approximate-count|project\/([^/]+)\/versions)$/;
/** Jira Software's Agile API, the same on both flavours. */
const AGILE_ROUTE = /^\/rest\/agile\/1\.0\/(board|board\/(\d+)\/sprint|sprint\/(\d+)(\/issue)?)$/;
/** Which method each write route takes; reads are GET (searches also POST). */
const WRITE_METHOD = { create: "POST", comment: "POST", update: "PUT" } as const;
/** A search's JSON body; Jira's own limit is larger, a JQL query is far smaller. */
const MAX_BODY_BYTES = 64 * 1024;

export async function startFakeJira(options: FakeJiraOptions): Promise<FakeJira> {
  const flavour = options.flavour;
  const users = options.users ?? seedUsers;
  // Copied: writes replace or append issues here, and later reads see them.
  const issues: FakeIssue[] = [...(options.issues ?? seedIssues)];
  const writes: FakeJiraWrite[] = [];
  const versions = options.versions ?? seedVersions;
  const boards = options.boards ?? seedBoards;
  const sprints = options.sprints ?? seedSprints;
  const searchPageLimit = options.searchPageLimit ?? (flavour === "cloud" ? 100 : 1000);
  const delayMs = options.responseDelayMs ?? 0;
  if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_RESPONSE_DELAY_MS) {
    throw new RangeError(
      `responseDelayMs must be a whole number of milliseconds from 0 to ${MAX_RESPONSE_DELAY_MS}, not ${delayMs}`,
    );
  }
  const requests: RecordedJiraRequest[] = [];
  let faults: FakeJiraFault[] = [];
  let baseUrl = "";

  const send = (
    res: ServerResponse,
    record: RecordedJiraRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    record.status = status;
    if (status === 204) {
      res.writeHead(204, headers).end();
      options.log?.(`${record.method} ${record.path} -> 204`);
      return;
    }
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": typeof body === "string" ? "text/plain;charset=UTF-8" : JSON_TYPE,
      ...headers,
    });
    res.end(text);
    options.log?.(`${record.method} ${record.path} -> ${status}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", baseUrl);
    const user = authenticate(flavour, users, req.headers.authorization);
    const record: RecordedJiraRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      auth: {
        scheme: (req.headers.authorization ?? "none").split(" ")[0] ?? "none",
        userId: user?.id,
      },
      headers: { ...req.headers },
      status: undefined,
    };
    requests.push(record);
    if (delayMs > 0) await sleep(delayMs);

    const fault = faults.shift();
    if (fault && "hang" in fault) return;
    if (fault?.status === 429) {
      return send(res, record, 429, jiraError("Rate limit exceeded."), {
        "retry-after": String(fault.retryAfterSeconds),
        "x-ratelimit-limit": "100",
        "x-ratelimit-remaining": "0",
        "ratelimit-reason": "jira-burst-based",
      });
    }
    if (fault)
      return send(res, record, fault.status, jiraError(`Fault injected: ${fault.status}.`));

    const agile = AGILE_ROUTE.exec(url.pathname);
    const match = ROUTE.exec(url.pathname);
    const version = match?.[1] as "2" | "3" | undefined;
    if (agile) {
      if (req.method !== "GET") return send(res, record, 405, "");
    } else if (!match || (version === "3" && flavour === "server")) {
      // Server/DC has no v3; Jersey's answer for a path nothing serves.
      return send(res, record, 404, jiraError(`null for uri: ${url.href}`));
    }
    const route = match?.[2] ?? "";
    const isSearch = route.startsWith("search");
    const write = !match
      ? undefined
      : route === "issue"
        ? "create"
        : match[4]
          ? "comment"
          : match[3] && req.method === "PUT"
            ? "update"
            : undefined;
    if (
      match &&
      (write
        ? req.method !== WRITE_METHOD[write]
        : req.method !== "GET" && !(req.method === "POST" && isSearch))
    ) {
      return send(res, record, 405, "");
    }
    if (route === "search/approximate-count" && req.method !== "POST") {
      return send(res, record, 405, "");
    }
    if (!user) {
      return flavour === "cloud"
        ? send(res, record, 401, CLOUD_UNAUTHENTICATED, {
            "www-authenticate": `OAuth realm="${encodeURIComponent(baseUrl)}"`,
          })
        : send(res, record, 401, jiraError(SERVER_UNAUTHENTICATED), {
            "www-authenticate": `OAuth realm="${baseUrl}"`,
            "x-seraph-loginreason": "AUTHENTICATED_FAILED",
          });
    }
    const ctx: RouteContext = {
      flavour,
      baseUrl,
      apiVersion: version ?? "2",
      user,
      users,
      issues,
      versions,
      boards,
      sprints,
      searchPageLimit,
    };
    if (agile) {
      // The Agile API speaks REST v2's shapes (wiki markup, not ADF) on both flavours.
      const agileCtx = { ...ctx, apiVersion: "2" as const };
      const result = agile[2]
        ? boardSprints(agileCtx, agile[2], url.searchParams)
        : agile[3] && agile[4]
          ? sprintIssues(agileCtx, agile[3], url.searchParams)
          : agile[3]
            ? getSprint(agileCtx, agile[3])
            : listBoards(agileCtx, url.searchParams);
      return send(res, record, result.status, result.body);
    }
    let params: SearchParams = Object.fromEntries(url.searchParams);
    let body: Record<string, unknown> = {};
    if (req.method === "POST" || req.method === "PUT") {
      const read = await readJson(req);
      if (read === undefined) {
        return send(res, record, 400, jiraError("The request body is not valid JSON."));
      }
      params = read;
      body = read;
      record.body = read;
    }
    const state = { issues, writes, now: () => new Date().toISOString() };
    let result: RouteResult;
    if (write === "create") result = createIssue(ctx, state, body);
    else if (write === "comment")
      result = addComment(ctx, state, decodeURIComponent(match?.[4] as string), body);
    else if (write === "update")
      result = updateIssue(ctx, state, decodeURIComponent(match?.[3] as string), body);
    else if (route === "myself") result = myself(ctx);
    else if (match?.[3]) result = getIssue(ctx, decodeURIComponent(match[3]), url.searchParams);
    else if (match?.[5]) result = projectVersions(ctx, decodeURIComponent(match[5]));
    else if (route === "search" && flavour === "cloud") {
      // Cloud removed the old search in 2025: the answer is 410 with a pointer to the new one.
      result = {
        status: 410,
        body: jiraError(
          "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046",
        ),
      };
    } else if (route === "search") result = searchWithTotal(ctx, params);
    else if (flavour === "server") {
      result = { status: 404, body: jiraError(`null for uri: ${url.href}`) };
    } else if (route === "search/jql") result = searchJql(ctx, params);
    else if (route === "search/approximate-count") result = approximateCount(ctx, params);
    else result = { status: 404, body: jiraError(ISSUE_NOT_FOUND) };
    send(res, record, result.status, result.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;
  baseUrl = `http://${hostname}:${address.port}`;

  return {
    url: baseUrl,
    flavour,
    users,
    requests,
    writes,
    failNext(...more) {
      faults.push(...more);
    },
    reset() {
      faults = [];
      requests.length = 0;
      writes.length = 0;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Cloud: `Basic base64(email:api-token)`. Server/DC: `Bearer <personal access token>`. */
function authenticate(
  flavour: JiraFlavour,
  users: readonly FakeJiraUser[],
  header: string | undefined,
): FakeJiraUser | undefined {
  if (!header) return undefined;
  const [scheme, value = ""] = header.split(" ", 2);
  if (flavour === "server") {
    return scheme === "Bearer" ? users.find((user) => user.token === value) : undefined;
  }
  if (scheme !== "Basic") return undefined;
  const decoded = Buffer.from(value, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const email = decoded.slice(0, colon);
  const token = decoded.slice(colon + 1);
  return users.find((user) => user.emailAddress === email && user.token === token);
}

/** A POST body as a JSON object; undefined when it is not one or is larger than the limit. */
async function readJson(
  req: IncomingMessage,
): Promise<(SearchParams & Record<string, unknown>) | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    return body && typeof body === "object" && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
