import { defineTool, z } from "@agentllm/sdk";
import { jiraAgileGet } from "../jira-client.ts";
import { jiraConnection } from "../jira-connection.ts";
import { sprintsInFields } from "../sprint-field.ts";
import type { JiraToolOptions } from "./get-issue.ts";
import { jiraFailure } from "./jira-failure.ts";
import { searchLink } from "./jql-parameter.ts";

/** Issues counted at most: ten pages; a sprint holds tens of issues, rarely a few hundred. */
export const MAX_SPRINT_ISSUES = 500;
/** Issues per Agile API page: with navigable fields an issue can be several KiB. */
export const SPRINT_PAGE_SIZE = 50;

/** Navigable fields hold the sprint field (its id differs between sites); not the bulk. */
const FIELDS = "*navigable,-description,-comment";

interface Sprint {
  id?: unknown;
  name?: unknown;
  state?: unknown;
  startDate?: unknown;
  endDate?: unknown;
  completeDate?: unknown;
  goal?: unknown;
}

interface CountedIssue {
  fields?: Record<string, unknown> & {
    status?: { statusCategory?: { key?: unknown } } | null;
    issuetype?: { name?: unknown } | null;
  };
}

export function getSprintMetricsTool(options: JiraToolOptions) {
  return defineTool({
    description:
      "Computes a sprint's metrics from Jira's Agile API: planned issues, closed issues (stories and bugs among them), in progress, to do, carried over to a later sprint, and the completion ratio. Takes a sprint id (see extract_sprint_info).",
    status: ({ sprint_id }) => `Counting sprint ${sprint_id}'s issues…`,
    parameters: z.object({
      sprint_id: z.number().int().positive().describe("The sprint id, such as 12."),
    }),
    async execute({ sprint_id }, ctx) {
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      const request = {
        signal: ctx.signal,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        fetch: options.fetch ?? ctx.fetch,
      };
      try {
        const sprint = (await jiraAgileGet(
          connection,
          `sprint/${sprint_id}`,
          {},
          request,
        )) as Sprint;
        const issues: CountedIssue[] = [];
        let total: number | undefined;
        while (issues.length < MAX_SPRINT_ISSUES) {
          const page = (await jiraAgileGet(
            connection,
            `sprint/${sprint_id}/issue`,
            {
              fields: FIELDS,
              startAt: String(issues.length),
              maxResults: String(Math.min(SPRINT_PAGE_SIZE, MAX_SPRINT_ISSUES - issues.length)),
            },
            request,
          )) as { issues?: unknown; total?: unknown };
          const got = Array.isArray(page.issues) ? (page.issues as CountedIssue[]) : [];
          issues.push(...got.slice(0, MAX_SPRINT_ISSUES - issues.length));
          total = typeof page.total === "number" ? page.total : undefined;
          // An empty page, or one without a total, ends the count rather than looping.
          if (got.length === 0 || total === undefined || issues.length >= total) break;
        }
        return metricsText(sprint_id, sprint, issues, total, connection.baseUrl);
      } catch (error) {
        return jiraFailure(error, ctx, `sprint ${sprint_id}`);
      }
    },
  });
}

function metricsText(
  id: number,
  sprint: Sprint,
  issues: readonly CountedIssue[],
  total: number | undefined,
  baseUrl: string,
): string {
  const state = typeof sprint.state === "string" ? sprint.state.toLowerCase() : "unknown";
  // In a closed sprint, an issue that moved on to a later sprint was not finished in it, even
  // if it is done now: only issues whose last sprint is this one count as closed here.
  // A later sprint: one still open, or a closed one created after this (ids only grow).
  const carried = issues.filter(
    (issue) =>
      state === "closed" &&
      sprintsInFields(issue.fields ?? {}).some(
        (s) => s.id !== id && (s.state !== "closed" || s.id > id),
      ),
  );
  const stayed = issues.filter((issue) => !carried.includes(issue));
  const category = (issue: CountedIssue) => issue.fields?.status?.statusCategory?.key;
  const type = (issue: CountedIssue) =>
    typeof issue.fields?.issuetype?.name === "string" ? issue.fields.issuetype.name : "";
  const closed = stayed.filter((issue) => category(issue) === "done");
  const stories = closed.filter((issue) => type(issue) === "Story").length;
  const bugs = closed.filter((issue) => type(issue) === "Bug").length;
  const inProgress = stayed.filter((issue) => category(issue) === "indeterminate").length;
  const toDo = stayed.filter((issue) => category(issue) === "new").length;
  const planned = issues.length;
  const ratio = planned === 0 ? 0 : Math.round((closed.length / planned) * 100);
  const dates =
    typeof sprint.startDate === "string"
      ? `${sprint.startDate.slice(0, 10)} to ${typeof sprint.endDate === "string" ? sprint.endDate.slice(0, 10) : "?"}`
      : "not started";
  const lines = [
    `Sprint ${id}, "${typeof sprint.name === "string" ? sprint.name : "?"}" (${state}, ${dates}${typeof sprint.completeDate === "string" ? `, completed ${sprint.completeDate.slice(0, 10)}` : ""})`,
    `Goal: ${typeof sprint.goal === "string" && sprint.goal !== "" ? sprint.goal : "none"}`,
    `Planned: ${planned} issues (the issues in the sprint now${state === "closed" ? ", that is when it closed" : ""}; Jira's Agile API does not say which were added after the start)`,
    `Closed: ${closed.length} (stories ${stories}, bugs ${bugs}, other ${closed.length - stories - bugs})`,
    `In progress: ${inProgress} | To do: ${toDo}${state === "closed" ? ` | Carried over to a later sprint: ${carried.length}` : ""}`,
    `Completion: ${ratio}% (${closed.length} of ${planned} closed)`,
  ];
  if (total !== undefined && total > planned) {
    lines.push(`(Counted over the first ${planned} of the sprint's ${total} issues only.)`);
  }
  lines.push(`Sprint issues: ${searchLink(baseUrl, `sprint = ${id}`)}`);
  return lines.join("\n");
}
