import { adfToText } from "../adf-to-text.ts";

/** Comments shown, newest last: enough to follow a discussion, bounded for the model. */
export const MAX_ISSUE_COMMENTS = 5;
/** Characters of one comment and of the description; longer ones are cut with a note. */
export const MAX_COMMENT_CHARS = 1_500;
export const MAX_DESCRIPTION_CHARS = 6_000;

/** The fields get_issue asks Jira for. */
export const ISSUE_FIELDS = [
  "summary",
  "status",
  "issuetype",
  "priority",
  "assignee",
  "reporter",
  "created",
  "updated",
  "labels",
  "description",
  "comment",
] as const;

interface Named {
  name?: unknown;
  displayName?: unknown;
}

interface IssueJson {
  key?: unknown;
  fields?: {
    summary?: unknown;
    status?: Named | null;
    issuetype?: Named | null;
    priority?: Named | null;
    assignee?: Named | null;
    reporter?: Named | null;
    created?: unknown;
    updated?: unknown;
    labels?: unknown;
    description?: unknown;
    comment?: { comments?: unknown; total?: unknown } | null;
  };
}

/** An issue as compact text: header lines, description, the last comments, the link. */
export function formatIssue(json: unknown, baseUrl: string): string {
  const issue = (json ?? {}) as IssueJson;
  const fields = issue.fields ?? {};
  const key = typeof issue.key === "string" ? issue.key : "?";
  const lines = [
    `${key}: ${text(fields.summary) || "(no summary)"}`,
    `Link: ${baseUrl}/browse/${encodeURIComponent(key)}`,
    `Type: ${name(fields.issuetype)} | Status: ${name(fields.status)} | Priority: ${name(fields.priority)}`,
    `Assignee: ${person(fields.assignee) || "unassigned"} | Reporter: ${person(fields.reporter) || "unknown"}`,
    `Created: ${date(fields.created)} | Updated: ${date(fields.updated)}`,
  ];
  const labels = Array.isArray(fields.labels)
    ? fields.labels.filter((l) => typeof l === "string")
    : [];
  if (labels.length > 0) lines.push(`Labels: ${labels.join(", ")}`);

  const description = richText(fields.description);
  lines.push("", "Description:", description ? cut(description, MAX_DESCRIPTION_CHARS) : "(none)");

  const all = Array.isArray(fields.comment?.comments) ? fields.comment.comments : [];
  const total = typeof fields.comment?.total === "number" ? fields.comment.total : all.length;
  const shown = all.slice(-MAX_ISSUE_COMMENTS) as {
    author?: Named;
    body?: unknown;
    created?: unknown;
  }[];
  lines.push("");
  if (shown.length === 0) {
    lines.push("Comments: none");
  } else {
    lines.push(
      shown.length < total
        ? `Comments (the last ${shown.length} of ${total}, oldest first):`
        : `Comments (${total}, oldest first):`,
    );
    for (const comment of shown) {
      const body = cut(richText(comment.body), MAX_COMMENT_CHARS).replace(/\n/g, "\n  ");
      lines.push(`- ${person(comment.author) || "someone"}, ${date(comment.created)}: ${body}`);
    }
  }
  return lines.join("\n");
}

/** v2 sends wiki markup (a string), v3 an ADF document. */
function richText(value: unknown): string {
  if (typeof value === "string") return value.trim();
  return value && typeof value === "object" ? adfToText(value) : "";
}

function cut(value: string, max: number): string {
  return value.length > max
    ? `${value.slice(0, max)}… (cut: ${value.length} characters in all)`
    : value;
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

/** Jira's `2026-11-02T09:15:00.000+0000` as `2026-11-02 09:15 UTC`. */
function date(value: unknown): string {
  if (typeof value !== "string") return "unknown";
  const ms = Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
  return Number.isNaN(ms)
    ? value
    : `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
