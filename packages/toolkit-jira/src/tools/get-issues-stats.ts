import { defineTool, z } from "@agentllm/sdk";
import { jiraConnection } from "../jira-connection.ts";
import { MAX_SEARCH_ISSUES, searchIssues } from "../jira-search.ts";
import type { JiraToolOptions } from "./get-issue.ts";
import { jiraFailure } from "./jira-failure.ts";
import { jqlParameter, searchLink } from "./jql-parameter.ts";

interface Counted {
  fields?: Record<string, { name?: unknown } | null | undefined>;
}

export function getIssuesStatsTool(options: JiraToolOptions) {
  return defineTool({
    description: `Counts the Jira issues matching a JQL query, by status, by type and by priority (over at most ${MAX_SEARCH_ISSUES} issues), with a link to the search. Use it for "how many", progress and release-health questions.`,
    status: "Counting Jira issues…",
    parameters: z.object({ jql: jqlParameter }),
    async execute({ jql }, ctx) {
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        const found = await searchIssues(
          connection,
          jql,
          ["status", "issuetype", "priority"],
          MAX_SEARCH_ISSUES,
          {
            signal: ctx.signal,
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            fetch: options.fetch ?? ctx.fetch,
          },
        );
        const issues = found.issues as Counted[];
        const link = searchLink(connection.baseUrl, jql);
        const cut =
          found.total === undefined
            ? issues.length >= MAX_SEARCH_ISSUES
            : found.total > issues.length;
        const count = !cut
          ? String(issues.length)
          : found.total === undefined
            ? `at least ${issues.length}`
            : `${found.approximate ? "about " : ""}${found.total}`;
        const lines = [`Issues matching ${jql}: ${count}`, `Search: ${link}`];
        if (cut) lines.push(`(The counts below cover the first ${issues.length} issues only.)`);
        if (issues.length > 0) {
          for (const [label, field] of [
            ["By status", "status"],
            ["By type", "issuetype"],
            ["By priority", "priority"],
          ] as const) {
            lines.push(`${label}: ${tally(issues, field)}`);
          }
        }
        return lines.join("\n");
      } catch (error) {
        return jiraFailure(error, ctx, `the query ${jql}`);
      }
    },
  });
}

/** "In Progress 10, To Do 7, Done 3": largest first, then by name. */
function tally(issues: readonly Counted[], field: string): string {
  const counts = new Map<string, number>();
  for (const issue of issues) {
    const raw = issue.fields?.[field]?.name;
    const name = typeof raw === "string" && raw !== "" ? raw : "none";
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
}
