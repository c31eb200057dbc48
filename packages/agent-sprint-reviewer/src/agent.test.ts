import type { InstructionContext } from "@agentllm/sdk";
import { googleDriveToolkit } from "@agentllm/toolkit-google-drive";
import { jiraReadOnlyToolkit } from "@agentllm/toolkit-jira";
import { describe, expect, it } from "vitest";
import sprintReviewer from "./agent.ts";
import { sprintReviewerAgent } from "./index.ts";
import {
  MAX_TEAM_MAPPING_URL_CHARS,
  sprintReviewerInstructions,
  TEAM_MAPPING_URL_VARIABLE,
} from "./instructions.ts";

const ctx: InstructionContext = {
  userId: "user-1",
  settingsFor: () => ({ get: async () => undefined, set: async () => {}, delete: async () => {} }),
};
const DOC = "https://docs.google.com/document/d/1TeamMappingDoc000000000000000000000000000AB/edit";
const withUrl = (value: string | undefined) =>
  sprintReviewerInstructions(ctx, { [TEAM_MAPPING_URL_VARIABLE]: value });

describe("sprint reviewer agent", () => {
  it("is declared for the runtime with read-only Jira and Google Drive", () => {
    expect(sprintReviewerAgent).toBe(sprintReviewer);
    expect(sprintReviewer.name).toBe("sprint-reviewer");
    expect(sprintReviewer.toolkits).toEqual([jiraReadOnlyToolkit, googleDriveToolkit]);
    // A review never changes Jira: no tool of the agent's may even ask to.
    const tools = sprintReviewer.toolkits.flatMap((toolkit) => Object.values(toolkit.tools));
    expect(tools.filter((tool) => tool.sideEffect)).toEqual([]);
    expect(sprintReviewer.maxSteps).toBe(12);
  });

  it("names the configured team-mapping document and the steps of a review", () => {
    const text = withUrl(` ${DOC} `);
    expect(text).toContain(`The team mapping is the Google Drive document ${DOC}.`);
    for (const tool of [
      "get_document_content",
      "get_issues_by_team",
      "extract_sprint_info",
      "get_sprint_metrics",
      "get_issues_summary",
    ]) {
      expect(text).toContain(`\`${tool}\``);
    }
    for (const section of [
      "## Done",
      "## In progress",
      "## Blocked",
      "## Metrics",
      "## Next sprint",
    ])
      expect(text).toContain(section);
  });

  it("says Google Drive is required, and what to tell the user when the document is not configured", () => {
    expect(withUrl(DOC)).toContain("## Google Drive is required");
    for (const missing of [undefined, "", "   "]) {
      const text = withUrl(missing);
      expect(text).toContain(
        `No team-mapping document is configured (the operator sets ${TEAM_MAPPING_URL_VARIABLE})`,
      );
      expect(text).toContain("needs this Google Drive document");
    }
  });

  it("refuses a configured value that is not a Drive document or is too long", () => {
    expect(withUrl("https://example.com/mapping")).toContain("is not a Google Drive document link");
    const long = `${DOC}?x=${"a".repeat(MAX_TEAM_MAPPING_URL_CHARS)}`;
    expect(withUrl(long)).toContain(`is longer than ${MAX_TEAM_MAPPING_URL_CHARS} characters`);
    expect(withUrl(long)).not.toContain("aaaa");
    const atLimit = `${DOC}?x=`.padEnd(MAX_TEAM_MAPPING_URL_CHARS, "a");
    expect(withUrl(atLimit)).toContain("The team mapping is the Google Drive document");
  });

  it("reads the variable from the environment per request", async () => {
    const before = process.env[TEAM_MAPPING_URL_VARIABLE];
    process.env[TEAM_MAPPING_URL_VARIABLE] = DOC;
    try {
      const instructions = sprintReviewer.instructions;
      expect(await instructions(ctx)).toContain(DOC);
    } finally {
      if (before === undefined) delete process.env[TEAM_MAPPING_URL_VARIABLE];
      else process.env[TEAM_MAPPING_URL_VARIABLE] = before;
    }
  });
});
