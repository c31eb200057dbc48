import { defineTool, z } from "@agentllm/sdk";
import { jiraWrite } from "../jira-client.ts";
import { jiraConnection } from "../jira-connection.ts";
import { requestOptions } from "./add-comment.ts";
import type { JiraToolOptions } from "./get-issue.ts";
import {
  fieldNames,
  issueFieldParameters,
  issueKeyParameter,
  jiraFields,
  summaryParameter,
  writeFailure,
} from "./write-fields.ts";

export function updateIssueTool(options: JiraToolOptions) {
  return defineTool({
    description:
      "Changes fields of a Jira issue as the user: summary, description, priority, labels, components, fix versions (a list given replaces the issue's list). Not status or assignee. Changes Jira: the user is shown every new value and must approve first.",
    parameters: z
      .object({
        issue_key: issueKeyParameter,
        summary: summaryParameter.optional(),
        ...issueFieldParameters,
      })
      .refine(
        ({ issue_key: _key, ...values }) => Object.values(values).some((v) => v !== undefined),
        "name at least one field to change",
      ),
    status: ({ issue_key }) => `Updating ${issue_key.toUpperCase()}…`,
    sideEffect: {
      describe: (args) => `Change ${fieldNames(args)} of ${args.issue_key} in Jira`,
    },
    async execute({ issue_key, ...values }, ctx) {
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        await jiraWrite(
          connection,
          "PUT",
          `issue/${encodeURIComponent(issue_key)}`,
          { fields: jiraFields(values, connection) },
          requestOptions(options, ctx),
        );
        return {
          issue_key,
          updated: fieldNames(values),
          url: `${connection.baseUrl}/browse/${issue_key}`,
        };
      } catch (error) {
        return writeFailure(error, ctx, `the change to ${issue_key}`);
      }
    },
  });
}
