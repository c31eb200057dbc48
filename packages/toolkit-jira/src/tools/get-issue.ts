import { defineTool, z } from "@agentllm/sdk";
import { type FetchLike, JiraHttpError, jiraGet } from "../jira-client.ts";
import { jiraConnection } from "../jira-connection.ts";
import { formatIssue, ISSUE_FIELDS } from "./format-issue.ts";

export interface JiraToolOptions {
  readonly defaultBaseUrl: () => string | undefined;
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

/** `PROJ-123`; project keys start with a letter (Jira's default rule, letters, digits, _). */
export const ISSUE_KEY = /^[A-Za-z][A-Za-z0-9_]{0,49}-[1-9][0-9]{0,14}$/;

export function getIssueTool(options: JiraToolOptions) {
  return defineTool({
    description:
      "Reads one Jira issue as the user: summary, status, type, priority, people, dates, description, the latest comments and a link. Use it whenever the user names an issue key such as PROJ-123.",
    status: ({ issue_key }) => `Reading ${issue_key.toUpperCase()}…`,
    parameters: z.object({
      issue_key: z
        .string()
        .trim()
        .regex(ISSUE_KEY, "must be an issue key such as PROJ-123")
        .describe("The issue key, such as PROJ-123."),
    }),
    async execute({ issue_key }, ctx) {
      const key = issue_key.toUpperCase();
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        const issue = await jiraGet(
          connection,
          `issue/${encodeURIComponent(key)}`,
          { fields: ISSUE_FIELDS.join(",") },
          {
            signal: ctx.signal,
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
            fetch: options.fetch ?? ctx.fetch,
          },
        );
        return formatIssue(issue, connection.baseUrl);
      } catch (error) {
        if (!(error instanceof JiraHttpError)) throw error;
        if (error.status === 401) {
          return ctx.credential.rejected("Jira no longer accepts the saved token (401)");
        }
        throw new Error(explain(error, key));
      }
    },
  });
}

function explain(error: JiraHttpError, key: string): string {
  switch (error.status) {
    case 403:
      return `Jira refused access to ${key} (403): the user's account may not see this project.`;
    case 404:
      return `Issue ${key} does not exist, or the user's account cannot see it (404).`;
    case 429:
      return `Jira is limiting requests (429); retry after ${error.retryAfterSeconds ?? "a few"} seconds, or tell the user to try again then.`;
    default:
      return `Jira answered ${error.status} for ${key}; it may be unavailable, try again later.`;
  }
}
