import { defineTool, z } from "@agentllm/sdk";
import { jiraWrite } from "../jira-client.ts";
import { jiraConnection } from "../jira-connection.ts";
import { requestOptions } from "./add-comment.ts";
import type { JiraToolOptions } from "./get-issue.ts";
import {
  issueFieldParameters,
  jiraFields,
  summaryParameter,
  writeFailure,
} from "./write-fields.ts";

export function createIssueTool(options: JiraToolOptions) {
  return defineTool({
    description:
      "Creates a Jira issue as the user. Changes Jira: the user is shown every field and must approve before it is created.",
    parameters: z.object({
      project_key: z
        .string()
        .trim()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,49}$/, "must be a project key such as PROJ")
        .transform((key) => key.toUpperCase()),
      issue_type: z
        .string()
        .trim()
        .min(1)
        .max(64)
        .default("Task")
        .describe("Such as Task, Bug, Story."),
      summary: summaryParameter,
      ...issueFieldParameters,
    }),
    status: ({ project_key }) => `Creating an issue in ${project_key.toUpperCase()}…`,
    sideEffect: {
      describe: ({ project_key, issue_type }) =>
        `Create a ${issue_type} in Jira project ${project_key}`,
    },
    async execute({ project_key, issue_type, ...values }, ctx) {
      const connection = jiraConnection(await ctx.credential.get(), options.defaultBaseUrl());
      try {
        const created = (await jiraWrite(
          connection,
          "POST",
          "issue",
          {
            fields: {
              project: { key: project_key },
              issuetype: { name: issue_type },
              ...jiraFields(values, connection),
            },
          },
          requestOptions(options, ctx),
        )) as { key?: unknown } | null;
        const key = typeof created?.key === "string" ? created.key : undefined;
        return { issue_key: key, url: key ? `${connection.baseUrl}/browse/${key}` : undefined };
      } catch (error) {
        return writeFailure(error, ctx, `the new issue in ${project_key}`);
      }
    },
  });
}
