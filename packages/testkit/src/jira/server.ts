import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CLOUD_UNAUTHENTICATED,
  ISSUE_NOT_FOUND,
  jiraError,
  SERVER_UNAUTHENTICATED,
} from "./jira-error.ts";
import { getIssue, type JiraFlavour, myself, type RouteResult } from "./routes.ts";
import { type FakeIssue, type FakeJiraUser, seedIssues, seedUsers } from "./seed.ts";

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
  /** One line per finished request, e.g. for the CLI's stderr. */
  readonly log?: (line: string) => void;
}

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
}

export interface FakeJira {
  readonly url: string;
  readonly flavour: JiraFlavour;
  readonly users: readonly FakeJiraUser[];
  readonly requests: readonly RecordedJiraRequest[];
  /** Queues a fault for the next request (FIFO, one request each). */
  failNext(...faults: FakeJiraFault[]): void;
  reset(): void;
  close(): Promise<void>;
}

const JSON_TYPE = "application/json;charset=UTF-8";
const ROUTE = /^\/rest\/api\/(2|3)\/(myself|issue\/([^/]+))$/;

export async function startFakeJira(options: FakeJiraOptions): Promise<FakeJira> {
  const flavour = options.flavour;
  const users = options.users ?? seedUsers;
  const issues = options.issues ?? seedIssues;
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
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": typeof body === "string" ? "text/plain;charset=UTF-8" : JSON_TYPE,
      ...headers,
    });
    res.end(text);
    options.log?.(`${record.method} ${record.path} -> ${status}`);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
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

    const match = ROUTE.exec(url.pathname);
    const version = match?.[1] as "2" | "3" | undefined;
    if (!match || (version === "3" && flavour === "server")) {
      // Server/DC has no v3; Jersey's answer for a path nothing serves.
      return send(res, record, 404, jiraError(`null for uri: ${url.href}`));
    }
    if (req.method !== "GET") return send(res, record, 405, "");
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
    const ctx = { flavour, baseUrl, apiVersion: version ?? "2", user, users, issues };
    const result: RouteResult =
      match[2] === "myself"
        ? myself(ctx)
        : match[3]
          ? getIssue(ctx, decodeURIComponent(match[3]), url.searchParams)
          : { status: 404, body: jiraError(ISSUE_NOT_FOUND) };
    send(res, record, result.status, result.body);
  };

  const server = createServer(handle);
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
    failNext(...more) {
      faults.push(...more);
    },
    reset() {
      faults = [];
      requests.length = 0;
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
