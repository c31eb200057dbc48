import { type ToolContext, z } from "@agentllm/sdk";
import { JiraHttpError } from "../jira-client.ts";
import type { JiraConnection } from "../jira-connection.ts";
import { ISSUE_KEY } from "./get-issue.ts";
import { jiraFailure } from "./jira-failure.ts";

/** Jira's limit on a text field (a comment, a description). */
export const MAX_JIRA_TEXT_CHARS = 32_767;
/** Jira's limit on a summary. */
export const MAX_SUMMARY_CHARS = 255;
/** Labels, components or fix versions one write sets; an issue with more is rare and unreadable. */
export const MAX_LIST_ITEMS = 20;
/** A label, component or version name: Jira's own limit is 255. */
export const MAX_NAME_CHARS = 255;

export const PRIORITIES = ["Highest", "High", "Medium", "Low", "Lowest"] as const;

export const issueKeyParameter = z
  .string()
  .trim()
  .regex(ISSUE_KEY, "must be an issue key such as PROJ-123")
  .transform((key) => key.toUpperCase())
  .describe("The issue key, such as PROJ-123.");

export const textParameter = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(
      MAX_JIRA_TEXT_CHARS,
      `${what} must be at most ${MAX_JIRA_TEXT_CHARS} characters (Jira's limit)`,
    );

export const summaryParameter = z
  .string()
  .trim()
  .min(1, "the summary must not be empty")
  .max(
    MAX_SUMMARY_CHARS,
    `the summary must be at most ${MAX_SUMMARY_CHARS} characters (Jira's limit)`,
  )
  .refine((s) => !/[\r\n]/.test(s), "the summary must be one line")
  .describe("One line.");

const names = (what: string) =>
  z
    .array(z.string().trim().min(1).max(MAX_NAME_CHARS))
    .max(MAX_LIST_ITEMS, `at most ${MAX_LIST_ITEMS} ${what}`);

/** The fields create_issue and update_issue both set, in the tools' (snake_case) names. */
export const issueFieldParameters = {
  description: textParameter("the description")
    .optional()
    .describe("Plain text; a blank line separates paragraphs."),
  priority: z.enum(PRIORITIES).optional(),
  labels: names("labels")
    .refine((list) => list.every((label) => !/\s/.test(label)), "labels must not contain spaces")
    .optional()
    .describe("Replaces the issue's labels."),
  components: names("components").optional().describe("Component names; replaces the list."),
  fix_versions: names("fix versions").optional().describe("Version names; replaces the list."),
};

export interface IssueFieldValues {
  readonly summary?: string | undefined;
  readonly description?: string | undefined;
  readonly priority?: string | undefined;
  readonly labels?: readonly string[] | undefined;
  readonly components?: readonly string[] | undefined;
  readonly fix_versions?: readonly string[] | undefined;
}

/** The tools' values as Jira's `fields` object, text as the flavour wants it. */
export function jiraFields(
  values: IssueFieldValues,
  connection: JiraConnection,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (values.summary !== undefined) fields.summary = values.summary;
  if (values.description !== undefined)
    fields.description = richText(values.description, connection);
  if (values.priority !== undefined) fields.priority = { name: values.priority };
  if (values.labels !== undefined) fields.labels = [...values.labels];
  if (values.components !== undefined)
    fields.components = values.components.map((name) => ({ name }));
  if (values.fix_versions !== undefined)
    fields.fixVersions = values.fix_versions.map((name) => ({ name }));
  return fields;
}

/**
 * Text as the API version takes it: Cloud's v3 wants Atlassian Document Format (paragraphs
 * split on blank lines, line breaks as hardBreak nodes, the text itself never interpreted),
 * Server/DC's v2 the string itself.
 */
export function richText(text: string, connection: JiraConnection): unknown {
  if (connection.apiVersion === "2") return text;
  const paragraphs = text.replace(/\r\n?/g, "\n").split(/\n{2,}/);
  return {
    type: "doc",
    version: 1,
    content: paragraphs.map((paragraph) => {
      const content: object[] = [];
      paragraph.split("\n").forEach((line, i) => {
        if (i > 0) content.push({ type: "hardBreak" });
        if (line !== "") content.push({ type: "text", text: line });
      });
      return { type: "paragraph", content };
    }),
  };
}

/** Names the fields a write sets, for its approval line. */
export function fieldNames(values: IssueFieldValues): string {
  return Object.entries(values)
    .filter(([name, value]) => value !== undefined && name !== "issue_key")
    .map(([name]) => name)
    .join(", ");
}

/**
 * A write Jira refused, as the model should read it: a 400 names the fields Jira objected to
 * and says nothing changed (the user approved these values; new ones need a new approval).
 */
export async function writeFailure(
  error: unknown,
  ctx: ToolContext,
  subject: string,
): Promise<never> {
  if (error instanceof JiraHttpError && error.status === 400) {
    throw new Error(
      `Jira did not accept ${subject} (400): ${error.messages.join(" ") || "no reason given"}. Nothing was changed; correct the values and ask the user to approve the change again.`,
    );
  }
  return jiraFailure(error, ctx, subject);
}
