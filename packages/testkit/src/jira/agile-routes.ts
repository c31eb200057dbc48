import { jiraError } from "./jira-error.ts";
import {
  fieldList,
  issuePage,
  pageSize,
  type RouteContext,
  type RouteResult,
  runJql,
} from "./routes.ts";
import type { FakeBoard, FakeSprint } from "./sprint-seed.ts";

/** Jira Software lists boards and sprints 50 at a time, whatever `maxResults` asks. */
export const AGILE_LIST_PAGE_LIMIT = 50;

export const BOARD_NOT_FOUND = "Board does not exist or you do not have permission to see it.";
export const SPRINT_NOT_FOUND = "Sprint does not exist or you do not have permission to see it.";
const SPRINT_STATES = ["future", "active", "closed"] as const;

/** `GET /rest/agile/1.0/board?projectKeyOrId=&type=&startAt=&maxResults=`. */
export function listBoards(ctx: RouteContext, query: URLSearchParams): RouteResult {
  const project = query.get("projectKeyOrId")?.toUpperCase();
  const type = query.get("type");
  const boards = ctx.boards.filter(
    (board) => (!project || board.projectKey === project) && (!type || board.type === type),
  );
  return page(ctx, query, boards, (board) => boardJson(ctx, board), true);
}

/** `GET /rest/agile/1.0/board/{id}/sprint?state=active,closed&startAt=&maxResults=`. */
export function boardSprints(
  ctx: RouteContext,
  boardId: string,
  query: URLSearchParams,
): RouteResult {
  const board = ctx.boards.find((b) => String(b.id) === boardId);
  if (!board) return { status: 404, body: jiraError(BOARD_NOT_FOUND) };
  if (board.type !== "scrum") {
    return { status: 400, body: jiraError("The board does not support sprints") };
  }
  const states = (query.get("state") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = states.find((s) => !(SPRINT_STATES as readonly string[]).includes(s));
  if (unknown !== undefined) {
    return {
      status: 400,
      body: jiraError(`Invalid sprint state '${unknown}'; use future, active or closed.`),
    };
  }
  const sprints = ctx.sprints.filter(
    (s) => s.boardId === board.id && (states.length === 0 || states.includes(s.state)),
  );
  // Jira lists a board's sprints without a total: only `isLast` says whether more follow.
  return page(ctx, query, sprints, (sprint) => sprintJson(ctx, sprint), false);
}

/** `GET /rest/agile/1.0/sprint/{id}`. */
export function getSprint(ctx: RouteContext, sprintId: string): RouteResult {
  const sprint = ctx.sprints.find((s) => String(s.id) === sprintId);
  return sprint
    ? { status: 200, body: sprintJson(ctx, sprint) }
    : { status: 404, body: jiraError(SPRINT_NOT_FOUND) };
}

/**
 * `GET /rest/agile/1.0/sprint/{id}/issue?jql=&fields=&startAt=&maxResults=`: the issues whose
 * sprint field holds the sprint (done or moved on ones too, for a closed sprint), with a total.
 */
export function sprintIssues(
  ctx: RouteContext,
  sprintId: string,
  query: URLSearchParams,
): RouteResult {
  const sprint = ctx.sprints.find((s) => String(s.id) === sprintId);
  if (!sprint) return { status: 404, body: jiraError(SPRINT_NOT_FOUND) };
  const found = runJql(ctx, query.get("jql") ?? "", (issue) =>
    (issue.sprints ?? []).includes(sprint.id),
  );
  if (!Array.isArray(found)) return found;
  const size = pageSize(ctx, query.get("maxResults") ?? undefined);
  if (typeof size !== "number") return size;
  const startAt = startOf(query);
  if (typeof startAt !== "number") return startAt;
  return issuePage(
    ctx,
    found,
    startAt,
    size,
    fieldList(query.get("fields") ?? undefined, "*navigable"),
  );
}

function page<T>(
  ctx: RouteContext,
  query: URLSearchParams,
  all: readonly T[],
  json: (item: T) => unknown,
  withTotal: boolean,
): RouteResult {
  const raw = query.get("maxResults");
  const asked = raw === null || raw === "" ? AGILE_LIST_PAGE_LIMIT : Number(raw);
  if (!Number.isInteger(asked) || asked < 0) {
    return { status: 400, body: jiraError(`The value '${raw}' is invalid for maxResults.`) };
  }
  const size = Math.min(asked, AGILE_LIST_PAGE_LIMIT, ctx.searchPageLimit);
  const startAt = startOf(query);
  if (typeof startAt !== "number") return startAt;
  const values = all.slice(startAt, startAt + size);
  return {
    status: 200,
    body: {
      maxResults: size,
      startAt,
      ...(withTotal ? { total: all.length } : {}),
      isLast: startAt + values.length >= all.length,
      values: values.map(json),
    },
  };
}

function startOf(query: URLSearchParams): number | RouteResult {
  const raw = query.get("startAt");
  const startAt = raw === null || raw === "" ? 0 : Number(raw);
  return Number.isInteger(startAt) && startAt >= 0
    ? startAt
    : { status: 400, body: jiraError(`The value '${raw}' is invalid for startAt.`) };
}

function boardJson(ctx: RouteContext, board: FakeBoard): unknown {
  return {
    id: board.id,
    self: `${ctx.baseUrl}/rest/agile/1.0/board/${board.id}`,
    name: board.name,
    type: board.type,
    location: { projectKey: board.projectKey, displayName: `${board.projectKey} project` },
  };
}

function sprintJson(ctx: RouteContext, sprint: FakeSprint): unknown {
  return {
    id: sprint.id,
    self: `${ctx.baseUrl}/rest/agile/1.0/sprint/${sprint.id}`,
    state: sprint.state,
    name: sprint.name,
    ...(sprint.startDate ? { startDate: sprint.startDate } : {}),
    ...(sprint.endDate ? { endDate: sprint.endDate } : {}),
    ...(sprint.completeDate ? { completeDate: sprint.completeDate } : {}),
    originBoardId: sprint.boardId,
    goal: sprint.goal ?? "",
  };
}
