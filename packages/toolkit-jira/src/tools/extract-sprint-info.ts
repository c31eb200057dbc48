import { defineTool, z } from "@agentllm/sdk";
import { jiraGet } from "../jira-client.ts";
import { jiraConnection } from "../jira-connection.ts";
import { currentSprint, type SprintRef, sprintsInFields } from "../sprint-field.ts";
import { ISSUE_KEY, type JiraToolOptions } from "./get-issue.ts";
import { jiraFailure } from "./jira-failure.ts";

/**
 * Navigable fields hold the sprint field whatever its id; the description and comments are the
 * bulk of an issue and are left out.
 */
const FIELDS = "*navigable,-description,-comment";

export function extractSprintInfoTool(options: JiraToolOptions) {
  return defineTool({
    description:
      "Finds the sprint a Jira issue is in: sprint id, name, state, board, dates and goal. It prefers the active sprint, then a future one, then the last closed one, and lists the issue's earlier sprints. Use the id with get_sprint_metrics or get_issues_by_team.",
    status: ({ issue_key }) => `Finding the sprint of ${issue_key.toUpperCase()}…`,
    parameters: z.object({
      issue_key: z
        .string()
        .trim()
        .regex(ISSUE_KEY, "must be an issue key such as PROJ-123")
        .describe("An issue key, such as PROJ-123."),
    }),
    async execute({ issue_key }, ctx) {
      const key = issue_key.toUpperCase();
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        const issue = (await jiraGet(
          connection,
          `issue/${encodeURIComponent(key)}`,
          { fields: FIELDS },
          {
            signal: ctx.signal,
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            fetch: options.fetch ?? ctx.fetch,
          },
        )) as { fields?: Record<string, unknown> };
        const sprints = sprintsInFields(issue.fields ?? {});
        const current = currentSprint(sprints);
        if (!current)
          return `${key} is in no sprint (it is in the backlog, or the project has no sprints).`;
        const others = sprints.filter((s) => s !== current);
        return [
          `${key} is in sprint ${current.id}, "${current.name}" (${current.state}).`,
          describe(current),
          ...(others.length > 0
            ? [
                `Its other sprints: ${others.map((s) => `${s.id} "${s.name}" (${s.state})`).join(", ")}.`,
              ]
            : []),
        ].join("\n");
      } catch (error) {
        return jiraFailure(error, ctx, `issue ${key}`);
      }
    },
  });
}

function describe(sprint: SprintRef): string {
  const parts = [
    sprint.boardId === undefined ? undefined : `Board: ${sprint.boardId}`,
    sprint.startDate || sprint.endDate
      ? `Dates: ${day(sprint.startDate)} to ${day(sprint.endDate)}`
      : "Dates: not planned yet",
    sprint.completeDate ? `Completed: ${day(sprint.completeDate)}` : undefined,
    `Goal: ${sprint.goal || "none"}`,
  ];
  return parts.filter(Boolean).join(" | ");
}

function day(value: string | undefined): string {
  return value ? value.slice(0, 10) : "?";
}
