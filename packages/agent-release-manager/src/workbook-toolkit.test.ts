import { type PluginLogger, type ToolContext, undeclaredCredential } from "@agentllm/sdk";
import { googleDriveToolkit } from "@agentllm/toolkit-google-drive";
import { describe, expect, it } from "vitest";
import { MAX_JQL_VALUE_CHARS } from "./workbook/fill-template.ts";
import { MAX_NAME_CHARS } from "./workbook/workbook-schema.ts";
import { WorkbookSource } from "./workbook/workbook-source.ts";
import {
  createReleaseDriveToolkit,
  MAX_REQUEST_CHARS,
  MAX_TEMPLATE_VALUES,
} from "./workbook-toolkit.ts";

const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const ctx: ToolContext = {
  userId: "user-1",
  sessionId: undefined,
  signal: new AbortController().signal,
  logger: quiet,
  settings: { get: async () => undefined, set: async () => {}, delete: async () => {} },
  credential: undeclaredCredential("google_drive"),
};
// No Sheet configured: the shipped workbook.
const toolkit = createReleaseDriveToolkit(new WorkbookSource({ env: () => ({}) }));

type Result = Record<string, unknown>;
async function call(name: keyof typeof toolkit.tools, args: Record<string, unknown>) {
  const tool = toolkit.tools[name];
  const parsed = tool.parameters.safeParse(args);
  if (!parsed.success) return { invalid: parsed.error.issues[0]?.message };
  try {
    return { value: (await tool.execute(parsed.data as never, ctx)) as Result };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe("the release workbook tools", () => {
  it("live in the Google Drive toolkit, with Drive's grant and tools, to read the Sheet as the user", () => {
    expect(toolkit.name).toBe(googleDriveToolkit.name);
    expect(toolkit.credential).toBe(googleDriveToolkit.credential);
    expect(Object.keys(toolkit.tools)).toEqual([
      ...Object.keys(googleDriveToolkit.tools),
      "get_workflow_instructions",
      "get_jira_query_template",
      "get_slack_template",
      "get_project_config",
      "get_tool_reference",
      "get_prompt",
    ]);
  });

  it("get_workflow_instructions picks the workflow by the longest phrase, and says the source", async () => {
    const { value } = await call("get_workflow_instructions", {
      request: "Can you draft the code freeze announcement for 4.4?",
    });
    expect(value).toMatchObject({
      matched: true,
      workflow: "code_freeze_announcement",
      source: "defaults",
      note: expect.stringContaining("no team Sheet"),
    });
    expect(value?.steps).toContain("get_slack_template");
    const byName = await call("get_workflow_instructions", { request: "blocker_bugs" });
    expect(byName.value?.workflow).toBe("blocker_bugs");
    const status = await call("get_workflow_instructions", { request: "Release status of 4.4?" });
    expect(status.value?.workflow).toBe("release_status");
  });

  it("get_workflow_instructions lists the workflows when nothing matches", async () => {
    const { value } = await call("get_workflow_instructions", { request: "bake a cake" });
    expect(value?.matched).toBe(false);
    expect(value?.workflows).toContainEqual({
      name: "security_issues",
      asked_as: ["cves", "cve", "security issues", "vulnerabilities"],
    });
  });

  it("bounds the request", async () => {
    const atLimit = await call("get_workflow_instructions", {
      request: `blockers ${"x".repeat(MAX_REQUEST_CHARS - 9)}`,
    });
    expect(atLimit.value?.workflow).toBe("blocker_bugs");
    const over = await call("get_workflow_instructions", {
      request: "x".repeat(MAX_REQUEST_CHARS + 1),
    });
    expect(over.invalid).toBe(`at most ${MAX_REQUEST_CHARS} characters`);
  });

  it("get_jira_query_template fills the project and the values, or names what is missing", async () => {
    const filled = await call("get_jira_query_template", {
      name: "blocker_bugs",
      values: { version: "4.4" },
    });
    expect(filled.value?.jql).toBe(
      'project = DEMO AND fixVersion = "4.4" AND issuetype = Bug AND priority in (Highest, High) AND status != Done ORDER BY key ASC',
    );
    expect(filled.value?.missing).toBeUndefined();
    const missing = await call("get_jira_query_template", { name: "team_open_issues" });
    expect(missing.value?.missing).toEqual(["version", "team"]);
    expect(missing.value?.hint).toContain("do not run the query before");
  });

  it("get_jira_query_template refuses unknown names and unsafe or too many values", async () => {
    expect((await call("get_jira_query_template", { name: "nope" })).error).toContain(
      "the workbook has no query 'nope'; it has: release_issues,",
    );
    expect(
      (
        await call("get_jira_query_template", {
          name: "release_issues",
          values: { version: '4" OR x' },
        })
      ).error,
    ).toContain("quote");
    expect(
      (
        await call("get_jira_query_template", {
          name: "release_issues",
          values: { version: "v".repeat(MAX_JQL_VALUE_CHARS + 1) },
        })
      ).error,
    ).toContain(`longer than ${MAX_JQL_VALUE_CHARS}`);
    const atLimit = Object.fromEntries(
      Array.from({ length: MAX_TEMPLATE_VALUES }, (_, i) => [i === 0 ? "version" : `v${i}`, "4.4"]),
    );
    expect(
      (await call("get_jira_query_template", { name: "release_issues", values: atLimit })).value
        ?.jql,
    ).toContain('"4.4"');
    const values = { ...atLimit, one_more: "x" };
    expect(
      (await call("get_jira_query_template", { name: "release_issues", values })).invalid,
    ).toBe(`at most ${MAX_TEMPLATE_VALUES} values`);
  });

  it("get_slack_template drafts from the template and the config, naming its placeholders", async () => {
    const { value } = await call("get_slack_template", {
      name: "code_freeze_announcement",
      values: { version: "4.4", freeze_date: "2026-12-03", open_count: "7", blocker_count: "2" },
    });
    expect(value?.draft).toBe(`*Beacon 4.4: code freeze from 2026-12-03*
From then on only fixes for release blockers merge for 4.4.
Still open: 7 issues, of which 2 are blocker bugs.
Questions go to #beacon-release.`);
    expect(value?.placeholders).toEqual([
      "product_name",
      "version",
      "freeze_date",
      "open_count",
      "blocker_count",
      "release_channel",
    ]);
    const partial = await call("get_slack_template", { name: "code_freeze_update" });
    expect(partial.value?.missing).toEqual([
      "version",
      "open_count",
      "blocker_count",
      "blocker_keys",
    ]);
  });

  it("get_project_config, get_tool_reference and get_prompt return the workbook's entries", async () => {
    expect((await call("get_project_config", {})).value?.config).toMatchObject({
      project_key: "DEMO",
      teams: expect.stringContaining("Frontend, Backend, Platform"),
    });
    expect((await call("get_tool_reference", {})).value?.tools).toHaveProperty("get_issues_stats");
    expect((await call("get_prompt", { name: "status_report" })).value?.prompt).toContain(
      "Lead with the answer",
    );
    expect((await call("get_prompt", { name: "nope" })).error).toContain("no prompt 'nope'");
    expect((await call("get_prompt", { name: "n".repeat(MAX_NAME_CHARS + 1) })).invalid).toBe(
      `a name is at most ${MAX_NAME_CHARS} characters`,
    );
    expect((await call("get_prompt", { name: "n".repeat(MAX_NAME_CHARS) })).error).toContain(
      "no prompt",
    );
  });
});
