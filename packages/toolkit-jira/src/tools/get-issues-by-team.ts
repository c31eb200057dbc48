import { defineTool, z } from "@agentllm/sdk";
import { jiraConnection } from "../jira-connection.ts";
import { searchIssues } from "../jira-search.ts";
import { PROJECT_KEY } from "./get-fix-versions.ts";
import type { JiraToolOptions } from "./get-issue.ts";
import { jiraFailure } from "./jira-failure.ts";
import { moreNote, searchLink } from "./jql-parameter.ts";

/** Issues listed by default / at most: one line each, a team's sprint is rarely over 100. */
export const DEFAULT_TEAM_ISSUES = 100;
export const MAX_TEAM_ISSUES = 200;
/** Components one team may name; a team owning more is better asked about in parts. */
export const MAX_TEAM_COMPONENTS = 20;
/** Jira's own limit on a component's or version's name. */
export const MAX_NAME_CHARS = 255;

const FIELDS = ["summary", "status", "issuetype", "assignee", "components", "labels"] as const;
const GROUPS = [
  ["done", "Done"],
  ["indeterminate", "In progress"],
  ["new", "To do"],
] as const;

interface Named {
  name?: unknown;
  displayName?: unknown;
  statusCategory?: { key?: unknown };
}

interface TeamIssue {
  key?: unknown;
  fields?: {
    summary?: unknown;
    status?: Named | null;
    issuetype?: Named | null;
    assignee?: Named | null;
    components?: unknown;
    labels?: unknown;
  };
}

const name = z
  .string()
  .trim()
  .min(1)
  .max(MAX_NAME_CHARS)
  // A JQL string cannot hold a line break; quotes and backslashes are escaped below.
  .regex(/^[^\r\n]*$/, "must be one line");

export function getIssuesByTeamTool(options: JiraToolOptions) {
  return defineTool({
    description:
      "Lists a team's Jira issues for a sprint or a release: the issues of the team's components in a project, grouped by status category (done, in progress, to do), one line each with type, status, assignee, labels and a link. Without sprint_id or fix_version it lists the open sprints' issues (the current sprint).",
    status: ({ project }) => `Searching Jira for the team's ${project.toUpperCase()} issues…`,
    parameters: z.object({
      project: z
        .string()
        .trim()
        .regex(PROJECT_KEY, "must be a project key such as PROJ")
        .describe("The project key, such as PROJ."),
      components: z
        .array(name)
        .min(1)
        .max(MAX_TEAM_COMPONENTS)
        .describe(
          "The team's Jira components (from the team mapping), such as ['Frontend']. An issue of any of them counts.",
        ),
      sprint_id: z
        .number()
        .int()
        .positive()
        .optional()
        .describe("A sprint id (see extract_sprint_info). Left out: the open sprints."),
      fix_version: name.optional().describe("A release (fix version) name, such as 4.4."),
      limit: z
        .number()
        .int()
        .min(1)
        .max(MAX_TEAM_ISSUES)
        .default(DEFAULT_TEAM_ISSUES)
        .describe(
          `How many issues to list (default ${DEFAULT_TEAM_ISSUES}, at most ${MAX_TEAM_ISSUES}).`,
        ),
    }),
    async execute({ project, components, sprint_id, fix_version, limit }, ctx) {
      const jql = teamJql(project.toUpperCase(), components, sprint_id, fix_version);
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        const found = await searchIssues(connection, jql, FIELDS, limit, {
          signal: ctx.signal,
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          fetch: options.fetch ?? ctx.fetch,
        });
        const link = searchLink(connection.baseUrl, jql);
        if (found.issues.length === 0) return `No issues match ${jql}.\nSearch: ${link}`;
        const issues = found.issues as TeamIssue[];
        const lines = [`Issues matching ${jql}:`];
        for (const [category, title] of GROUPS) {
          const group = issues.filter((issue) => categoryOf(issue) === category);
          if (group.length === 0) continue;
          lines.push("", `${title} (${group.length}):`);
          for (const issue of group) lines.push(issueLine(issue, connection.baseUrl));
        }
        const other = issues.filter(
          (issue) => !GROUPS.some(([category]) => category === categoryOf(issue)),
        );
        if (other.length > 0) {
          lines.push("", `Other status (${other.length}):`);
          for (const issue of other) lines.push(issueLine(issue, connection.baseUrl));
        }
        const note = moreNote(issues.length, found.total, found.approximate, link);
        lines.push("", note ?? `Search: ${link}`);
        return lines.join("\n");
      } catch (error) {
        return jiraFailure(error, ctx, `the query ${jql}`);
      }
    },
  });
}

/** The JQL for a team's issues; values are quoted, so a name with spaces or quotes is safe. */
export function teamJql(
  project: string,
  components: readonly string[],
  sprintId: number | undefined,
  fixVersion: string | undefined,
): string {
  const clauses = [
    `project = ${project}`,
    `component in (${components.map(quote).join(", ")})`,
    ...(sprintId === undefined ? [] : [`sprint = ${sprintId}`]),
    ...(fixVersion === undefined ? [] : [`fixVersion = ${quote(fixVersion)}`]),
  ];
  if (sprintId === undefined && fixVersion === undefined) clauses.push("sprint in openSprints()");
  return `${clauses.join(" AND ")} ORDER BY key ASC`;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function categoryOf(issue: TeamIssue): unknown {
  return issue.fields?.status?.statusCategory?.key;
}

function issueLine(issue: TeamIssue, baseUrl: string): string {
  const f = issue.fields ?? {};
  const key = text(issue.key) || "?";
  const labels = Array.isArray(f.labels) ? f.labels.filter((l) => typeof l === "string") : [];
  const components = Array.isArray(f.components)
    ? f.components.map((c) => text((c as Named)?.name)).filter(Boolean)
    : [];
  return [
    `- ${key} [${text(f.status?.name) || "none"}] ${text(f.issuetype?.name) || "Issue"}: ${text(f.summary) || "(no summary)"}`,
    text(f.assignee?.displayName) || text(f.assignee?.name) || "unassigned",
    ...(components.length > 0 ? [components.join(", ")] : []),
    ...(labels.length > 0 ? [`labels: ${labels.join(", ")}`] : []),
    `${baseUrl}/browse/${encodeURIComponent(key)}`,
  ].join(" | ");
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}
