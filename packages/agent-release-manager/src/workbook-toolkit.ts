import { defineTool, defineToolkit, type ToolContext, z } from "@agentllm/sdk";
import { googleDriveToolkit } from "@agentllm/toolkit-google-drive";
import { fillTemplate } from "./workbook/fill-template.ts";
import { selectWorkflow } from "./workbook/select-workflow.ts";
import { MAX_NAME_CHARS, placeholdersOf } from "./workbook/workbook-schema.ts";
import type { EffectiveWorkbook } from "./workbook/workbook-source.ts";
import { WorkbookSource } from "./workbook/workbook-source.ts";

/** A user's request as the model passes it on: a sentence, not a document. */
export const MAX_REQUEST_CHARS = 500;
/** Placeholder values in one call: templates use a handful. */
export const MAX_TEMPLATE_VALUES = 20;

const entryName = z
  .string()
  .trim()
  .min(1, "name an entry")
  .max(MAX_NAME_CHARS, `a name is at most ${MAX_NAME_CHARS} characters`);
const templateValues = z
  .record(z.string(), z.string())
  .refine(
    (values) => Object.keys(values).length <= MAX_TEMPLATE_VALUES,
    `at most ${MAX_TEMPLATE_VALUES} values`,
  )
  .optional()
  .describe(
    'Placeholder → value, e.g. {"version": "4.4"}. Values from the project config fill themselves.',
  );

/** Where the workbook came from, in every result: the model says so when it is not the Sheet. */
function sourceOf(effective: EffectiveWorkbook) {
  return {
    source: effective.source,
    note: effective.note,
    ...(effective.problems ? { skipped_sheet_rows: effective.problems } : {}),
  };
}

function unknownEntry(kind: string, name: string, names: readonly string[]): Error {
  return new Error(`the workbook has no ${kind} '${name}'; it has: ${names.join(", ")}`);
}

/**
 * The six workbook tools, each reading the effective workbook for the requesting user.
 * They sit in the Google Drive toolkit (see {@link releaseDriveToolkit}) to read the team's
 * Sheet with the user's Drive grant.
 */
export function workbookTools(source: WorkbookSource) {
  const read = (ctx: ToolContext) => source.forTool(ctx);
  return {
    get_workflow_instructions: defineTool({
      description:
        "Finds the release workflow for what the user asked (release dates, release status, issues by team, blocker bugs, CVEs, epics, release notes, feature or code freeze updates and announcements) and returns its steps. Call it first for every release question.",
      status: "Reading the release workbook…",
      parameters: z.object({
        request: z
          .string()
          .trim()
          .min(1, "pass the user's request or a workflow name")
          .max(MAX_REQUEST_CHARS, `at most ${MAX_REQUEST_CHARS} characters`)
          .describe("The user's request in their words, or a workflow's name."),
      }),
      async execute({ request }, ctx) {
        const effective = await read(ctx);
        const { workbook } = effective;
        const name = selectWorkflow(workbook, request);
        if (!name) {
          return {
            matched: false,
            workflows: Object.keys(workbook.workflows).map((workflow) => ({
              name: workflow,
              asked_as: workbook.triggers[workflow] ?? [],
            })),
            hint: "No workflow matches: pick the closest by name and call again with it, or ask the user.",
            ...sourceOf(effective),
          };
        }
        const steps = fillTemplate(
          workbook.workflows[name] as string,
          workbook.config,
          {},
          "steps",
        );
        return { matched: true, workflow: name, steps: steps.text, ...sourceOf(effective) };
      },
    }),
    get_jira_query_template: defineTool({
      description:
        "Returns a named JQL query from the workbook with its placeholders filled (the project and other config values fill themselves; pass the rest, such as version or team). Run the JQL with get_issues_stats or get_issues_summary.",
      status: "Reading the release workbook…",
      parameters: z.object({
        name: entryName.describe("The query's name, e.g. blocker_bugs."),
        values: templateValues,
      }),
      async execute({ name, values = {} }, ctx) {
        const effective = await read(ctx);
        const template = effective.workbook.queries[name];
        if (template === undefined) {
          throw unknownEntry("query", name, Object.keys(effective.workbook.queries));
        }
        const filled = fillTemplate(template, effective.workbook.config, values, "jql");
        return {
          name,
          jql: filled.text,
          ...(filled.missing.length > 0
            ? {
                missing: filled.missing,
                hint: `Call again with values for ${filled.missing.join(", ")} (ask the user if you do not know them); do not run the query before.`,
              }
            : {}),
          ...sourceOf(effective),
        };
      },
    }),
    get_slack_template: defineTool({
      description:
        "Returns a named chat message template from the workbook (announcements and updates) filled with the values given and the project config. Show the draft to the user; it is never sent anywhere.",
      status: "Reading the release workbook…",
      parameters: z.object({
        name: entryName.describe("The message's name, e.g. code_freeze_announcement."),
        values: templateValues,
      }),
      async execute({ name, values = {} }, ctx) {
        const effective = await read(ctx);
        const template = effective.workbook.messages[name];
        if (template === undefined) {
          throw unknownEntry("message", name, Object.keys(effective.workbook.messages));
        }
        const filled = fillTemplate(template, effective.workbook.config, values, "message");
        return {
          name,
          placeholders: placeholdersOf(template),
          draft: filled.text,
          ...(filled.missing.length > 0
            ? {
                missing: filled.missing,
                hint: `Fill ${filled.missing.join(", ")} from tool results or ask the user; never invent them.`,
              }
            : {}),
          ...sourceOf(effective),
        };
      },
    }),
    get_project_config: defineTool({
      description:
        "The release project's facts: Jira project key, product name, release cadence, teams, chat channels, release note label.",
      status: "Reading the release workbook…",
      parameters: z.object({}),
      async execute(_args, ctx) {
        const effective = await read(ctx);
        return { config: effective.workbook.config, ...sourceOf(effective) };
      },
    }),
    get_tool_reference: defineTool({
      description: "When to use which tool, in the release team's words.",
      status: "Reading the release workbook…",
      parameters: z.object({}),
      async execute(_args, ctx) {
        const effective = await read(ctx);
        return { tools: effective.workbook.tools, ...sourceOf(effective) };
      },
    }),
    get_prompt: defineTool({
      description:
        "Returns a named piece of guidance from the workbook, such as status_report (how to write a release status) or announcement_style.",
      status: "Reading the release workbook…",
      parameters: z.object({ name: entryName.describe("The prompt's name, e.g. status_report.") }),
      async execute({ name }, ctx) {
        const effective = await read(ctx);
        const prompt = effective.workbook.prompts[name];
        if (prompt === undefined) {
          throw unknownEntry("prompt", name, Object.keys(effective.workbook.prompts));
        }
        return { name, prompt, ...sourceOf(effective) };
      },
    }),
  };
}

/**
 * Google Drive's tools plus the workbook's, as one toolkit named like Drive's. The runtime keeps
 * a user's credential per toolkit name, so this way the workbook reads the team's Sheet with
 * the Drive grant the user already gave (one consent, shared with every agent using Drive);
 * a toolkit of its own would need a second grant. The workbook tools never ask the user to
 * connect: without a grant they answer from the built-in workbook.
 */
export function createReleaseDriveToolkit(source = new WorkbookSource()) {
  return defineToolkit({
    name: googleDriveToolkit.name,
    description: `${googleDriveToolkit.description} Also the release workbook (workflows, JQL and message templates), from the team's Sheet when one is configured.`,
    credential: googleDriveToolkit.credential,
    tools: { ...googleDriveToolkit.tools, ...workbookTools(source) },
  });
}

export const releaseDriveToolkit = createReleaseDriveToolkit();
