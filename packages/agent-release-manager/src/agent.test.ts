import { jiraToolkit } from "@agentllm/toolkit-jira";
import { describe, expect, it } from "vitest";
import releaseManager from "./agent.ts";
import { releaseManagerAgent } from "./index.ts";
import { RELEASE_MANAGER_INSTRUCTIONS } from "./instructions.ts";
import { DEFAULT_WORKBOOK } from "./workbook/default-workbook.ts";
import { releaseDriveToolkit } from "./workbook-toolkit.ts";

const toolNames = releaseManager.toolkits.flatMap((toolkit) => Object.keys(toolkit.tools));
/** Words shaped like tool names (lower-case with underscores, starting with a verb we use). */
const mentioned = (text: string) =>
  [...text.matchAll(/\b(?:get|find)_[a-z_]+\b/g)].map((m) => m[0]);

describe("release manager agent", () => {
  it("is declared for the runtime with Jira and Drive (which carries the workbook tools)", () => {
    expect(releaseManagerAgent).toBe(releaseManager);
    expect(releaseManager.name).toBe("release-manager");
    expect(releaseManager.toolkits).toEqual([jiraToolkit, releaseDriveToolkit]);
    expect(releaseManager.maxSteps).toBe(12);
  });

  it("names in its instructions only tools it has, and the workbook tools all", () => {
    const named = mentioned(RELEASE_MANAGER_INSTRUCTIONS);
    for (const name of named) expect(toolNames).toContain(name);
    for (const tool of [
      "get_workflow_instructions",
      "get_jira_query_template",
      "get_slack_template",
      "get_project_config",
      "get_tool_reference",
      "get_prompt",
    ]) {
      expect(named).toContain(tool);
    }
  });

  it("names in its shipped workbook only tools it has", () => {
    const texts = [
      ...Object.values(DEFAULT_WORKBOOK.workflows),
      ...Object.values(DEFAULT_WORKBOOK.prompts),
      ...Object.keys(DEFAULT_WORKBOOK.tools),
    ];
    const named = texts.flatMap(mentioned);
    expect(named.length).toBeGreaterThan(10);
    for (const name of named) expect(toolNames).toContain(name);
  });
});
