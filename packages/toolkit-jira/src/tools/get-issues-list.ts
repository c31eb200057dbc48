import { defineTool, z } from "@agentllm/sdk";
import { adfToText } from "../adf-to-text.ts";
import { jiraConnection } from "../jira-connection.ts";
import { searchIssues } from "../jira-search.ts";
import type { JiraToolOptions } from "./get-issue.ts";
import { jiraFailure } from "./jira-failure.ts";
import { jqlParameter, moreNote, searchLink } from "./jql-parameter.ts";

/** Issues one summary lists by default / at most: a line each, ~100 tokens a line. */
export const DEFAULT_SUMMARY_ISSUES = 50;
export const MAX_SUMMARY_ISSUES = 200;
/** Detailed issues by default / at most: ~10 lines each with a description excerpt. */
export const DEFAULT_DETAILED_ISSUES = 20;
export const MAX_DETAILED_ISSUES = 50;
/** Characters of each description in get_issues_detailed. */
export const DESCRIPTION_EXCERPT_CHARS = 300;

interface Named {
  name?: unknown;
  displayName?: unknown;
}

interface ListedIssue {
  key?: unknown;
  fields?: {
    summary?: unknown;
    status?: Named | null;
    assignee?: Named | null;
    issuetype?: Named | null;
    priority?: Named | null;
    fixVersions?: unknown;
    components?: unknown;
    updated?: unknown;
    description?: unknown;
  };
}

const SUMMARY_FIELDS = ["summary", "status", "assignee"] as const;
const DETAILED_FIELDS = [
  ...SUMMARY_FIELDS,
  "issuetype",
  "priority",
  "fixVersions",
  "components",
  "updated",
  "description",
] as const;

export function getIssuesSummaryTool(options: JiraToolOptions) {
  return issueListTool(options, false);
}

export function getIssuesDetailedTool(options: JiraToolOptions) {
  return issueListTool(options, true);
}

function issueListTool(options: JiraToolOptions, detailed: boolean) {
  const [byDefault, max] = detailed
    ? [DEFAULT_DETAILED_ISSUES, MAX_DETAILED_ISSUES]
    : [DEFAULT_SUMMARY_ISSUES, MAX_SUMMARY_ISSUES];
  return defineTool({
    description: detailed
      ? "Lists the Jira issues matching a JQL query with their details: key, summary, status, assignee, type, priority, fix versions, components, last update, the start of the description and a link. Use it to review or report on a set of issues."
      : "Lists the Jira issues matching a JQL query, one line each: key, status, summary, assignee and a link. Use it to find issues or give an overview.",
    // Not the JQL: it is the model's text and may quote anything the user wrote.
    status: "Searching Jira…",
    parameters: z.object({
      jql: jqlParameter,
      limit: z
        .number()
        .int()
        .min(1)
        .max(max)
        .default(byDefault)
        .describe(`How many issues to list (default ${byDefault}, at most ${max}).`),
    }),
    async execute({ jql, limit }, ctx) {
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        const found = await searchIssues(
          connection,
          jql,
          detailed ? DETAILED_FIELDS : SUMMARY_FIELDS,
          limit,
          {
            signal: ctx.signal,
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            fetch: options.fetch ?? ctx.fetch,
          },
        );
        const link = searchLink(connection.baseUrl, jql);
        if (found.issues.length === 0) return `No issues match ${jql}.`;
        const issues = found.issues as ListedIssue[];
        const lines = issues.map((issue) =>
          detailed
            ? detailedIssue(issue, connection.baseUrl)
            : summaryLine(issue, connection.baseUrl),
        );
        const note = moreNote(issues.length, found.total, found.approximate, link);
        return [...lines, ...(note ? [note] : [])].join(detailed ? "\n\n" : "\n");
      } catch (error) {
        return jiraFailure(error, ctx, `the query ${jql}`);
      }
    },
  });
}

function summaryLine(issue: ListedIssue, baseUrl: string): string {
  const f = issue.fields ?? {};
  const key = text(issue.key) || "?";
  return `${key} [${name(f.status)}] ${text(f.summary) || "(no summary)"} | ${person(f.assignee) || "unassigned"} | ${browse(baseUrl, key)}`;
}

function detailedIssue(issue: ListedIssue, baseUrl: string): string {
  const f = issue.fields ?? {};
  const key = text(issue.key) || "?";
  const description =
    typeof f.description === "string"
      ? f.description.trim()
      : f.description && typeof f.description === "object"
        ? adfToText(f.description)
        : "";
  const flat = description.replace(/\s+/g, " ");
  return [
    `${key}: ${text(f.summary) || "(no summary)"}`,
    `Link: ${browse(baseUrl, key)}`,
    `Type: ${name(f.issuetype)} | Status: ${name(f.status)} | Priority: ${name(f.priority)} | Assignee: ${person(f.assignee) || "unassigned"}`,
    `Fix versions: ${names(f.fixVersions)} | Components: ${names(f.components)} | Updated: ${day(f.updated)}`,
    `Description: ${
      flat === ""
        ? "(none)"
        : flat.length > DESCRIPTION_EXCERPT_CHARS
          ? `${flat.slice(0, DESCRIPTION_EXCERPT_CHARS)}…`
          : flat
    }`,
  ].join("\n");
}

function browse(baseUrl: string, key: string): string {
  return `${baseUrl}/browse/${encodeURIComponent(key)}`;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function name(value: Named | null | undefined): string {
  return text(value?.name) || "none";
}

function person(value: Named | null | undefined): string {
  return text(value?.displayName) || text(value?.name);
}

function names(value: unknown): string {
  const list = Array.isArray(value)
    ? value.map((v) => text((v as Named)?.name)).filter(Boolean)
    : [];
  return list.length > 0 ? list.join(", ") : "none";
}

/** The date part of Jira's `2026-11-02T09:15:00.000+0000`. */
function day(value: unknown): string {
  return typeof value === "string" ? value.slice(0, 10) : "unknown";
}
