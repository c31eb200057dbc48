import { defineTool, type ToolContext, z } from "@agentllm/sdk";
import { jiraWrite } from "../jira-client.ts";
import { jiraConnection } from "../jira-connection.ts";
import type { JiraToolOptions } from "./get-issue.ts";
import { issueKeyParameter, richText, textParameter, writeFailure } from "./write-fields.ts";

export function addCommentTool(options: JiraToolOptions) {
  return defineTool({
    description:
      "Adds a comment to a Jira issue as the user. Changes Jira: the user is shown the exact comment and must approve it before it is posted.",
    parameters: z.object({
      issue_key: issueKeyParameter,
      body: textParameter("the comment").describe(
        "The comment's full text, plain; a blank line separates paragraphs.",
      ),
    }),
    status: ({ issue_key }) => `Commenting on ${issue_key.toUpperCase()}…`,
    sideEffect: {
      describe: ({ issue_key }) => `Add a comment to ${issue_key} in Jira`,
    },
    async execute({ issue_key, body }, ctx) {
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        const created = (await jiraWrite(
          connection,
          "POST",
          `issue/${encodeURIComponent(issue_key)}/comment`,
          { body: richText(body, connection) },
          requestOptions(options, ctx),
        )) as { id?: unknown } | null;
        return {
          issue_key,
          comment_id: typeof created?.id === "string" ? created.id : undefined,
          url: `${connection.baseUrl}/browse/${issue_key}`,
        };
      } catch (error) {
        return writeFailure(error, ctx, `the comment on ${issue_key}`);
      }
    },
  });
}

export function requestOptions(options: JiraToolOptions, ctx: ToolContext) {
  return {
    signal: ctx.signal,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    fetch: options.fetch ?? ctx.fetch,
  };
}
