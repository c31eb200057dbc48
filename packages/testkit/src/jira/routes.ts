import { textToAdf, textToWiki } from "./adf.ts";
import { ISSUE_FORBIDDEN, ISSUE_NOT_FOUND, jiraError } from "./jira-error.ts";
import type { FakeIssue, FakeJiraUser } from "./seed.ts";

export type JiraFlavour = "cloud" | "server";

export interface RouteContext {
  readonly flavour: JiraFlavour;
  /** `http://host:port`, the base of `self` links. */
  readonly baseUrl: string;
  readonly apiVersion: "2" | "3";
  readonly user: FakeJiraUser;
  readonly users: readonly FakeJiraUser[];
  readonly issues: readonly FakeIssue[];
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
  const id = String(10000 + index);
  const all = issueFields(ctx, issue);
  const wanted = selectFields(query.get("fields"), Object.keys(all));
  return {
    status: 200,
    body: {
      expand: "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
      id,
      self: `${api(ctx)}/issue/${id}`,
      key: issue.key,
      fields: Object.fromEntries(Object.entries(all).filter(([name]) => wanted.has(name))),
    },
  };
}

function selectFields(raw: string | null, names: readonly string[]): Set<string> {
  const requested = (raw ?? "*all")
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
