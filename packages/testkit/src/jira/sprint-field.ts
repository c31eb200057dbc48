import type { RouteContext } from "./routes.ts";
import type { FakeIssue } from "./seed.ts";
import type { FakeSprint } from "./sprint-seed.ts";

/**
 * The sprint custom field's id. Cloud's is `customfield_10020` on most sites; on Data Center it
 * is whatever id the instance gave Jira Software's field, so the fake uses another one there
 * and clients must find the field by its value, not its id.
 */
export const CLOUD_SPRINT_FIELD = "customfield_10020";
export const SERVER_SPRINT_FIELD = "customfield_10104";

/**
 * The issue's sprint field, in the flavour's form: Cloud an array of sprint objects, Data Center
 * the legacy `toString()` of Greenhopper's Sprint class, one string per sprint. No sprint: null.
 */
export function sprintFieldOf(ctx: RouteContext, issue: FakeIssue): Record<string, unknown> {
  const sprints = (issue.sprints ?? [])
    .map((id) => ctx.sprints.find((sprint) => sprint.id === id))
    .filter((sprint): sprint is FakeSprint => sprint !== undefined);
  if (ctx.flavour === "cloud") {
    return {
      [CLOUD_SPRINT_FIELD]:
        sprints.length === 0
          ? null
          : sprints.map((sprint) => ({
              id: sprint.id,
              name: sprint.name,
              state: sprint.state,
              boardId: sprint.boardId,
              goal: sprint.goal ?? "",
              ...(sprint.startDate ? { startDate: sprint.startDate } : {}),
              ...(sprint.endDate ? { endDate: sprint.endDate } : {}),
              ...(sprint.completeDate ? { completeDate: sprint.completeDate } : {}),
            })),
    };
  }
  return {
    [SERVER_SPRINT_FIELD]: sprints.length === 0 ? null : sprints.map(legacySprintString),
  };
}

/** `com.atlassian.greenhopper.service.sprint.Sprint@1a2b3c[id=12,rapidViewId=1,state=ACTIVE,…]`. */
export function legacySprintString(sprint: FakeSprint): string {
  const hash = (0x1a2b00 + sprint.id).toString(16);
  const parts = [
    `id=${sprint.id}`,
    `rapidViewId=${sprint.boardId}`,
    `state=${sprint.state.toUpperCase()}`,
    `name=${sprint.name}`,
    `startDate=${sprint.startDate ?? "<null>"}`,
    `endDate=${sprint.endDate ?? "<null>"}`,
    `completeDate=${sprint.completeDate ?? "<null>"}`,
    `activatedDate=${sprint.startDate ?? "<null>"}`,
    `sequence=${sprint.id}`,
    `goal=${sprint.goal ?? "<null>"}`,
    "autoStartStop=false",
    "synced=false",
  ];
  return `com.atlassian.greenhopper.service.sprint.Sprint@${hash}[${parts.join(",")}]`;
}
