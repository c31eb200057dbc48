import type { AdfNode } from "./adf.ts";
import { ISSUE_FORBIDDEN, ISSUE_NOT_FOUND, type JiraErrorBody, jiraError } from "./jira-error.ts";
import type { RouteContext, RouteResult } from "./routes.ts";
import type { FakeIssue } from "./seed.ts";

/** Jira's limit on a text field (comment body, description): 32,767 characters. */
export const JIRA_TEXT_LIMIT = 32_767;
/** Jira's limit on a summary. */
export const JIRA_SUMMARY_LIMIT = 255;

/** One write the fake accepted, as tests assert it (text fields as plain text). */
export type FakeJiraWrite =
  | {
      readonly kind: "comment";
      readonly issueKey: string;
      readonly userId: string;
      readonly body: string;
    }
  | {
      readonly kind: "create";
      readonly issueKey: string;
      readonly userId: string;
      readonly fields: Readonly<Record<string, unknown>>;
    }
  | {
      readonly kind: "update";
      readonly issueKey: string;
      readonly userId: string;
      readonly fields: Readonly<Record<string, unknown>>;
    };

/** The fake's mutable state: what later reads see, and the log of writes. */
export interface WriteState {
  /** Replaced element by element (issues are immutable objects); new issues are appended. */
  readonly issues: FakeIssue[];
  readonly writes: FakeJiraWrite[];
  /** ISO time for `created`/`updated` of what is written. */
  now(): string;
}

/** `POST /rest/api/{2,3}/issue/{key}/comment`: v3 takes ADF, v2 a plain (wiki) string. */
export function addComment(
  ctx: RouteContext,
  state: WriteState,
  keyOrId: string,
  body: Record<string, unknown>,
): RouteResult {
  const found = findWritable(ctx, state, keyOrId);
  if ("status" in found) return found;
  const text = richTextIn(ctx, body.body);
  if (text === undefined) return fieldError("comment", "Comment body can not be empty!");
  if (text.length > JIRA_TEXT_LIMIT) {
    return fieldError(
      "comment",
      `The entered text is too long. It exceeds the allowed limit of ${JIRA_TEXT_LIMIT.toLocaleString("en-US")} characters.`,
    );
  }
  const { issue, index } = found;
  const created = state.now();
  const comments = [...(issue.comments ?? []), { author: ctx.user.id, body: text, created }];
  state.issues[index] = { ...issue, comments, updated: created };
  state.writes.push({ kind: "comment", issueKey: issue.key, userId: ctx.user.id, body: text });
  const id = String(20000 + comments.length - 1);
  return {
    status: 201,
    body: {
      self: `${api(ctx)}/issue/${issue.key}/comment/${id}`,
      id,
      author: { displayName: ctx.user.displayName },
      body: body.body,
      created,
      updated: created,
    },
  };
}

/** `POST /rest/api/{2,3}/issue`: `{fields: {project, summary, issuetype, …}}` → 201 `{id,key,self}`. */
export function createIssue(
  ctx: RouteContext,
  state: WriteState,
  body: Record<string, unknown>,
): RouteResult {
  const fields = asObject(body.fields);
  if (!fields) return { status: 400, body: jiraError("No fields in the request.") };
  const errors: Record<string, string> = {};
  const projectKey = stringIn(asObject(fields.project)?.key)?.toUpperCase();
  if (!projectKey) errors.project = "Specify a valid project ID or key";
  else if (!state.issues.some((issue) => issue.key.startsWith(`${projectKey}-`))) {
    errors.project = "valid project is required";
  }
  const type = stringIn(asObject(fields.issuetype)?.name);
  if (!type) errors.issuetype = "Specify an issue type";
  const parsed = parseFields(ctx, fields, errors, new Set(["project", "issuetype"]));
  if (parsed.summary === undefined && !errors.summary)
    errors.summary = "You must specify a summary of the issue.";
  if (Object.keys(errors).length > 0) return { status: 400, body: { errorMessages: [], errors } };

  const project = projectKey as string;
  const highest = Math.max(
    0,
    ...state.issues
      .filter((issue) => issue.key.startsWith(`${project}-`))
      .map((issue) => Number(issue.key.slice(project.length + 1))),
  );
  const key = `${project}-${highest + 1}`;
  const now = state.now();
  const issue: FakeIssue = {
    key,
    summary: parsed.summary as string,
    type: type as string,
    status: "To Do",
    statusCategory: "new",
    reporter: ctx.user.id,
    created: now,
    updated: now,
    ...issueFieldsOf(parsed),
  };
  state.issues.push(issue);
  state.writes.push({
    kind: "create",
    issueKey: key,
    userId: ctx.user.id,
    fields: { project, issuetype: type, ...parsed },
  });
  const id = String(10000 + state.issues.length - 1);
  return { status: 201, body: { id, key, self: `${api(ctx)}/issue/${id}` } };
}

/** `PUT /rest/api/{2,3}/issue/{key}`: `{fields: {...}}` → 204; unknown fields are a 400. */
export function updateIssue(
  ctx: RouteContext,
  state: WriteState,
  keyOrId: string,
  body: Record<string, unknown>,
): RouteResult {
  const found = findWritable(ctx, state, keyOrId);
  if ("status" in found) return found;
  const fields = asObject(body.fields);
  if (!fields || Object.keys(fields).length === 0) {
    return { status: 400, body: jiraError("No fields to update.") };
  }
  const errors: Record<string, string> = {};
  const parsed = parseFields(ctx, fields, errors, new Set());
  if (Object.keys(errors).length > 0) return { status: 400, body: { errorMessages: [], errors } };
  const { issue, index } = found;
  state.issues[index] = { ...issue, ...issueFieldsOf(parsed), updated: state.now() };
  state.writes.push({
    kind: "update",
    issueKey: issue.key,
    userId: ctx.user.id,
    fields: { ...parsed },
  });
  return { status: 204, body: undefined };
}

/** The fields both writes take, checked as Jira does; `errors` gets one message per bad field. */
interface ParsedFields {
  summary?: string;
  description?: string;
  priority?: string;
  labels?: string[];
  components?: string[];
  fixVersions?: string[];
}

function parseFields(
  ctx: RouteContext,
  fields: Record<string, unknown>,
  errors: Record<string, string>,
  skip: ReadonlySet<string>,
): ParsedFields {
  const parsed: ParsedFields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (skip.has(name)) continue;
    switch (name) {
      case "summary": {
        const summary = stringIn(value)?.trim();
        if (!summary) errors.summary = "You must specify a summary of the issue.";
        else if (summary.length > JIRA_SUMMARY_LIMIT) {
          errors.summary = `Summary must be less than ${JIRA_SUMMARY_LIMIT + 1} characters.`;
        } else parsed.summary = summary;
        break;
      }
      case "description": {
        const text = value === null ? "" : richTextIn(ctx, value);
        if (text === undefined) {
          errors.description =
            ctx.apiVersion === "3"
              ? "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
              : "Operation value must be a string";
        } else if (text.length > JIRA_TEXT_LIMIT) {
          errors.description = `The entered text is too long. It exceeds the allowed limit of ${JIRA_TEXT_LIMIT.toLocaleString("en-US")} characters.`;
        } else parsed.description = text;
        break;
      }
      case "priority": {
        const priority = stringIn(asObject(value)?.name);
        if (!priority || !["Highest", "High", "Medium", "Low", "Lowest"].includes(priority)) {
          errors.priority = `Specify a valid priority (Highest, High, Medium, Low, Lowest).`;
        } else parsed.priority = priority;
        break;
      }
      case "labels": {
        if (
          !Array.isArray(value) ||
          !value.every((l) => typeof l === "string" && /^\S+$/.test(l))
        ) {
          errors.labels = "Labels must be a list of words without spaces.";
        } else parsed.labels = value as string[];
        break;
      }
      case "components":
      case "fixVersions": {
        const names = Array.isArray(value) ? value.map((v) => stringIn(asObject(v)?.name)) : [];
        if (!Array.isArray(value) || names.some((n) => !n)) {
          errors[name] = `${name} must be a list of {"name": …} objects.`;
        } else if (
          name === "fixVersions" &&
          names.some((n) => !ctx.versions.some((version) => version.name === n))
        ) {
          errors.fixVersions = `Version name '${names.find((n) => !ctx.versions.some((v) => v.name === n))}' is not valid`;
        } else parsed[name] = names as string[];
        break;
      }
      default:
        errors[name] =
          `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
  }
  return parsed;
}

function issueFieldsOf(parsed: ParsedFields): Partial<FakeIssue> {
  const { description, ...rest } = parsed;
  return {
    ...rest,
    ...(description !== undefined
      ? { description: description === "" ? undefined : description }
      : {}),
  } as Partial<FakeIssue>;
}

function findWritable(
  ctx: RouteContext,
  state: WriteState,
  keyOrId: string,
): { issue: FakeIssue; index: number } | RouteResult {
  const index = state.issues.findIndex(
    (issue, i) => issue.key === keyOrId.toUpperCase() || String(10000 + i) === keyOrId,
  );
  const issue = state.issues[index];
  if (!issue || issue.hiddenFrom?.includes(ctx.user.id)) {
    return { status: 404, body: jiraError(ISSUE_NOT_FOUND) };
  }
  if (issue.forbiddenFor?.includes(ctx.user.id)) {
    return { status: 403, body: jiraError(ISSUE_FORBIDDEN) };
  }
  return { issue, index };
}

/** A text field's plain text: v3 needs an ADF `doc`, v2 a string; undefined when neither/empty. */
function richTextIn(ctx: RouteContext, value: unknown): string | undefined {
  if (ctx.apiVersion === "2")
    return typeof value === "string" && value.trim() !== "" ? value : undefined;
  const doc = asObject(value) as AdfNode | undefined;
  if (doc?.type !== "doc" || doc.version !== 1 || !Array.isArray(doc.content)) return undefined;
  const text = doc.content.map(blockText).join("\n\n");
  return text.trim() === "" ? undefined : text;
}

function blockText(node: AdfNode): string {
  if (node.type === "text") return node.text ?? "";
  if (node.type === "hardBreak") return "\n";
  const inner = node.content ?? [];
  if (node.type === "bulletList") return inner.map((item) => `- ${blockText(item)}`).join("\n");
  if (node.type === "listItem") return inner.map(blockText).join("\n");
  return inner.map(blockText).join("");
}

function fieldError(field: string, message: string): RouteResult {
  const body: JiraErrorBody = { errorMessages: [], errors: { [field]: message } };
  return { status: 400, body };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringIn(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function api(ctx: RouteContext): string {
  return `${ctx.baseUrl}/rest/api/${ctx.apiVersion}`;
}
