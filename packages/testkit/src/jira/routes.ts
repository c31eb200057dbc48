import { textToAdf, textToWiki } from "./adf.ts";
import { ISSUE_FORBIDDEN, ISSUE_NOT_FOUND, jiraError } from "./jira-error.ts";
import { JqlError, parseJql } from "./jql.ts";
import type { FakeIssue, FakeJiraUser, FakeVersion } from "./seed.ts";
import { sprintFieldOf } from "./sprint-field.ts";
import type { FakeBoard, FakeSprint } from "./sprint-seed.ts";

export type JiraFlavour = "cloud" | "server";

export interface RouteContext {
  readonly flavour: JiraFlavour;
  /** `http://host:port`, the base of `self` links. */
  readonly baseUrl: string;
  readonly apiVersion: "2" | "3";
  readonly user: FakeJiraUser;
  readonly users: readonly FakeJiraUser[];
  readonly issues: readonly FakeIssue[];
  readonly versions: readonly FakeVersion[];
  readonly boards: readonly FakeBoard[];
  readonly sprints: readonly FakeSprint[];
  /** The most issues one search page holds, whatever `maxResults` asks. */
  readonly searchPageLimit: number;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
}

/** `GET /rest/api/{2,3}/myself`: the signed-in user, in the flavour's shape. */
export function myself(ctx: RouteContext): RouteResult {
  return {
    status: 200,
    body: { ...userJson(ctx, ctx.user), locale: "en_US", groups: { size: 1, items: [] } },
  };
}

/** `GET /rest/api/{2,3}/issue/{key}` with `fields` (a comma list; `*all`, `*navigable`, `-x`). */
export function getIssue(ctx: RouteContext, keyOrId: string, query: URLSearchParams): RouteResult {
  const index = ctx.issues.findIndex(
    (issue, i) => issue.key === keyOrId.toUpperCase() || String(10000 + i) === keyOrId,
  );
  const issue = ctx.issues[index];
  if (!issue || issue.hiddenFrom?.includes(ctx.user.id)) {
    return { status: 404, body: jiraError(ISSUE_NOT_FOUND) };
  }
  if (issue.forbiddenFor?.includes(ctx.user.id)) {
    return { status: 403, body: jiraError(ISSUE_FORBIDDEN) };
  }
  return { status: 200, body: issueJson(ctx, issue, query.get("fields") ?? "*all") };
}

export function issueJson(ctx: RouteContext, issue: FakeIssue, fields: string): unknown {
  const id = String(10000 + ctx.issues.indexOf(issue));
  const all = issueFields(ctx, issue);
  const wanted = selectFields(fields, Object.keys(all));
  return {
    expand: "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
    id,
    self: `${api(ctx)}/issue/${id}`,
    key: issue.key,
    fields: Object.fromEntries(Object.entries(all).filter(([name]) => wanted.has(name))),
  };
}

/** The parameters of a search, from the query string (GET) or the JSON body (POST). */
export interface SearchParams {
  readonly jql?: unknown;
  readonly fields?: unknown;
  readonly maxResults?: unknown;
  readonly startAt?: unknown;
  readonly nextPageToken?: unknown;
}

/** Search's default `fields`: Cloud's `/search/jql` gives ids only, DC's `/search` navigable ones. */
export function fieldList(raw: unknown, fallback: string): string {
  if (Array.isArray(raw)) return raw.map(String).join(",");
  return typeof raw === "string" && raw !== "" ? raw : fallback;
}

/** The visible issues matching `jql`; `within` narrows them first (a sprint's issues). */
export function runJql(
  ctx: RouteContext,
  jql: unknown,
  within?: (issue: FakeIssue) => boolean,
): FakeIssue[] | RouteResult {
  try {
    const query = parseJql(typeof jql === "string" ? jql : "", {
      user: ctx.user,
      users: ctx.users,
      projects: new Set(ctx.issues.map((issue) => issue.key.split("-")[0] as string)),
      sprints: ctx.sprints,
    });
    if (!query.bounded && ctx.flavour === "cloud" && !within) {
      return {
        status: 400,
        body: jiraError(
          "Unbounded JQL queries are not allowed here. Please add a search restriction to your query.",
        ),
      };
    }
    return ctx.issues
      .filter((issue) => !issue.hiddenFrom?.includes(ctx.user.id))
      .filter((issue) => !issue.forbiddenFor?.includes(ctx.user.id))
      .filter((issue) => !within || within(issue))
      .filter(query.matches)
      .sort(query.compare);
  } catch (error) {
    if (error instanceof JqlError) return { status: 400, body: jiraError(error.message) };
    throw error;
  }
}

export function pageSize(ctx: RouteContext, raw: unknown): number | RouteResult {
  const n = raw === undefined || raw === null || raw === "" ? 50 : Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    return {
      status: 400,
      body: jiraError(`The value '${String(raw)}' is invalid for maxResults.`),
    };
  }
  return Math.min(n, ctx.searchPageLimit);
}

/**
 * Cloud's `GET|POST /rest/api/3/search/jql`: a page and an opaque `nextPageToken`, no total;
 * the last page has no token and `isLast: true`.
 */
export function searchJql(ctx: RouteContext, params: SearchParams): RouteResult {
  const found = runJql(ctx, params.jql);
  if (!Array.isArray(found)) return found;
  const size = pageSize(ctx, params.maxResults);
  if (typeof size !== "number") return size;
  let start = 0;
  if (params.nextPageToken !== undefined && params.nextPageToken !== null) {
    start = decodeToken(params.nextPageToken);
    if (start < 0) return { status: 400, body: jiraError("Invalid nextPageToken.") };
  }
  const page = found.slice(start, start + size);
  const next = start + page.length;
  const fields = fieldList(params.fields, "id");
  return {
    status: 200,
    body: {
      issues: page.map((issue) => issueJson(ctx, issue, fields)),
      ...(next < found.length ? { nextPageToken: encodeToken(next) } : {}),
      isLast: next >= found.length,
    },
  };
}

/** Cloud's `POST /rest/api/3/search/approximate-count`: `{"count": n}`. */
export function approximateCount(ctx: RouteContext, params: SearchParams): RouteResult {
  const found = runJql(ctx, params.jql);
  return Array.isArray(found) ? { status: 200, body: { count: found.length } } : found;
}

/** Data Center's `GET|POST /rest/api/2/search`: `startAt`, `maxResults`, `total`. */
export function searchWithTotal(ctx: RouteContext, params: SearchParams): RouteResult {
  const found = runJql(ctx, params.jql);
  if (!Array.isArray(found)) return found;
  const size = pageSize(ctx, params.maxResults);
  if (typeof size !== "number") return size;
  const startAt =
    params.startAt === undefined || params.startAt === "" ? 0 : Number(params.startAt);
  if (!Number.isInteger(startAt) || startAt < 0) {
    return {
      status: 400,
      body: jiraError(`The value '${String(params.startAt)}' is invalid for startAt.`),
    };
  }
  return issuePage(ctx, found, startAt, size, fieldList(params.fields, "*navigable"));
}

/** `GET /rest/api/{2,3}/project/{key}/versions`: every version of the project, unpaged. */
/** One page of issues with a total, as Data Center's search and the Agile API answer. */
export function issuePage(
  ctx: RouteContext,
  found: readonly FakeIssue[],
  startAt: number,
  size: number,
  fields: string,
): RouteResult {
  return {
    status: 200,
    body: {
      expand: "schema,names",
      startAt,
      maxResults: size,
      total: found.length,
      issues: found.slice(startAt, startAt + size).map((issue) => issueJson(ctx, issue, fields)),
    },
  };
}

export function projectVersions(ctx: RouteContext, key: string): RouteResult {
  const project = key.toUpperCase();
  if (!ctx.issues.some((issue) => issue.key.startsWith(`${project}-`))) {
    return { status: 404, body: jiraError(`No project could be found with key '${key}'.`) };
  }
  return {
    status: 200,
    body: ctx.versions
      .filter((version) => version.project === project)
      .map((version, i) => ({
        self: `${api(ctx)}/version/${30000 + i}`,
        id: String(30000 + i),
        name: version.name,
        archived: version.archived ?? false,
        released: version.released,
        ...(version.releaseDate ? { releaseDate: version.releaseDate } : {}),
        projectId: 10000,
      })),
  };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

function decodeToken(token: unknown): number {
  try {
    const offset = (
      JSON.parse(Buffer.from(String(token), "base64url").toString()) as { o?: unknown }
    ).o;
    return typeof offset === "number" && Number.isInteger(offset) && offset >= 0 ? offset : -1;
  } catch {
    return -1;
  }
}

function selectFields(raw: string, names: readonly string[]): Set<string> {
  const requested = raw
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  const chosen = new Set<string>();
  for (const name of requested) {
    if (name === "*all") {
      for (const n of names) chosen.add(n);
    } else if (name === "*navigable") {
      for (const n of names) if (n !== "comment") chosen.add(n);
    } else if (!name.startsWith("-") && names.includes(name)) {
      chosen.add(name);
    }
  }
  for (const name of requested) if (name.startsWith("-")) chosen.delete(name.slice(1));
  return chosen;
}

function issueFields(ctx: RouteContext, issue: FakeIssue): Record<string, unknown> {
  const comments = issue.comments ?? [];
  return {
    summary: issue.summary,
    issuetype: { self: `${api(ctx)}/issuetype/1`, id: "1", name: issue.type, subtask: false },
    status: {
      self: `${api(ctx)}/status/1`,
      name: issue.status,
      id: "1",
      statusCategory: {
        key: issue.statusCategory,
        name: { new: "To Do", indeterminate: "In Progress", done: "Done" }[issue.statusCategory],
      },
    },
    priority: issue.priority
      ? { self: `${api(ctx)}/priority/3`, name: issue.priority, id: "3" }
      : null,
    assignee: issue.assignee ? userJsonById(ctx, issue.assignee) : null,
    reporter: userJsonById(ctx, issue.reporter),
    created: issue.created,
    updated: issue.updated,
    labels: [...(issue.labels ?? [])],
    fixVersions: (issue.fixVersions ?? []).map((name) => {
      const version = ctx.versions.find((v) => v.name === name);
      return { name, released: version?.released ?? false, archived: false };
    }),
    components: (issue.components ?? []).map((name) => ({ name })),
    ...sprintFieldOf(ctx, issue),
    description: issue.description === undefined ? null : richText(ctx, issue.description),
    comment: {
      comments: comments.map((comment, i) => ({
        self: `${api(ctx)}/issue/${issue.key}/comment/${20000 + i}`,
        id: String(20000 + i),
        author: userJsonById(ctx, comment.author),
        body: richText(ctx, comment.body),
        updateAuthor: userJsonById(ctx, comment.author),
        created: comment.created,
        updated: comment.created,
      })),
      maxResults: comments.length,
      total: comments.length,
      startAt: 0,
    },
  };
}

/** v3 speaks ADF; v2 plain wiki markup (on Cloud too). */
function richText(ctx: RouteContext, text: string): unknown {
  return ctx.apiVersion === "3" ? textToAdf(text) : textToWiki(text);
}

function userJsonById(ctx: RouteContext, id: string): unknown {
  const user = ctx.users.find((u) => u.id === id);
  return user ? userJson(ctx, user) : null;
}

function userJson(ctx: RouteContext, user: FakeJiraUser): Record<string, unknown> {
  const common = {
    emailAddress: user.emailAddress,
    displayName: user.displayName,
    active: true,
    timeZone: "Europe/Berlin",
  };
  return ctx.flavour === "cloud"
    ? {
        self: `${api(ctx)}/user?accountId=${user.id}`,
        accountId: user.id,
        accountType: "atlassian",
        ...common,
      }
    : { self: `${api(ctx)}/user?username=${user.id}`, key: user.id, name: user.id, ...common };
}

function api(ctx: RouteContext): string {
  return `${ctx.baseUrl}/rest/api/${ctx.apiVersion}`;
}
