import { createReleaseDriveToolkit, WorkbookSource } from "@agentllm/agent-release-manager";
import { type PluginLogger, type ToolContext, undeclaredCredential } from "@agentllm/sdk";
import {
  type FakeJira,
  seedDriveFiles,
  seedUsers,
  startFakeJira,
  TEAM_MAPPING_DOC_ID,
} from "@agentllm/testkit";
import { colorToolkit } from "@agentllm/toolkit-color";
import { createJiraToolkit } from "@agentllm/toolkit-jira";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allCases } from "./cases/index.ts";
import { validateCases } from "./eval-case.ts";
import { normalize } from "./tool-call-match.ts";

// Each case's facts must be true of the fakes: here the tools the agents use run against the
// fake Jira and the seeds (as the runtime would run them), and every fact must appear in what
// they return. A case without sources here fails, so a new case cannot skip this check.

const dana = seedUsers[0] as (typeof seedUsers)[number];
const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const settings = () => {
  const values = new Map<string, string>();
  return {
    get: async (key: string) => values.get(key),
    set: async (key: string, value: string) => void values.set(key, value),
    delete: async (key: string) => void values.delete(key),
  };
};

type Call = readonly [toolkit: "jira" | "color" | "workbook", tool: string, args: object];

/** The tool calls whose results hold each case's facts (the calls a good answer makes). */
const SOURCES: Record<string, readonly (Call | { text: string })[]> = {
  "demo-save-favorite": [["color", "set_favorite_color", { color: "purple" }]],
  "demo-complementary-palette": [
    ["color", "generate_color_palette", { paletteType: "complementary", color: "#3366CC" }],
  ],
  "demo-triadic-red": [
    ["color", "generate_color_palette", { paletteType: "triadic", color: "red" }],
  ],
  "demo-meditation-scheme": [
    [
      "color",
      "design_color_scheme_for_purpose",
      { purpose: "calming meditation app", color: "#4A90A4" },
    ],
  ],
  "demo-conversation-analogous": [
    ["color", "generate_color_palette", { paletteType: "analogous", color: "orange" }],
  ],
  "demo-no-favorite-asks": [],
  "release-status-4-4": [
    ["jira", "get_issues_stats", { jql: 'project = DEMO AND fixVersion = "4.4" ORDER BY key ASC' }],
    [
      "jira",
      "get_issues_summary",
      {
        jql: 'project = DEMO AND fixVersion = "4.4" AND issuetype = Bug AND priority in (Highest, High) AND status != Done ORDER BY key ASC',
      },
    ],
  ],
  "release-blockers-4-4": [
    [
      "jira",
      "get_issues_summary",
      {
        jql: 'project = DEMO AND fixVersion = "4.4" AND issuetype = Bug AND priority in (Highest, High) AND status != Done ORDER BY key ASC',
      },
    ],
  ],
  "release-dates": [["jira", "get_fix_versions", { project: "DEMO" }]],
  "release-code-freeze-announcement": [
    [
      "workbook",
      "get_slack_template",
      {
        name: "code_freeze_announcement",
        values: { version: "4.4", freeze_date: "2026-12-03", open_count: "10", blocker_count: "1" },
      },
    ],
  ],
  "release-issues-by-team": [
    ["workbook", "get_project_config", {}],
    ...["Frontend", "Backend", "Platform"].map(
      (team): Call => [
        "jira",
        "get_issues_stats",
        {
          jql: `project = DEMO AND fixVersion = "4.4" AND component = "${team}" AND status != Done ORDER BY key ASC`,
        },
      ],
    ),
  ],
  "release-issue-detail": [["jira", "get_issue", { issue_key: "DEMO-1" }]],
  "sprint-review-web": [
    ["jira", "get_issues_by_team", { project: "DEMO", components: ["Frontend"] }],
    ["jira", "get_sprint_metrics", { sprint_id: 12 }],
  ],
  "sprint-review-core": [
    ["jira", "get_issues_by_team", { project: "DEMO", components: ["Backend"] }],
    ["jira", "extract_sprint_info", { issue_key: "DEMO-1" }],
  ],
  "sprint-blocked-web": [
    ["jira", "get_issues_by_team", { project: "DEMO", components: ["Frontend"] }],
  ],
  "sprint-metrics-platform": [["jira", "get_sprint_metrics", { sprint_id: 12 }]],
  "sprint-backlog-core": [
    [
      "jira",
      "get_issues_summary",
      {
        jql: 'project = DEMO AND component in ("Backend") AND sprint = EMPTY AND status != Done ORDER BY key ASC',
      },
    ],
  ],
  "sprint-missing-team": [
    {
      text:
        seedDriveFiles().find((file) => file.id === TEAM_MAPPING_DOC_ID)?.exports?.[
          "text/markdown"
        ] ?? "",
    },
  ],
};

describe("each case's facts are true of the fakes' seeds", () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startFakeJira({ flavour: "server" });
  });
  afterAll(() => jira?.close());

  const context = (credential: ToolContext["credential"]): ToolContext => ({
    userId: "eval-facts",
    sessionId: undefined,
    signal: new AbortController().signal,
    logger: quiet,
    settings: settings(),
    credential,
  });

  async function run([toolkit, name, args]: Call): Promise<string> {
    const tools: Record<
      string,
      {
        parameters: { parse(v: unknown): unknown };
        execute(input: unknown, ctx: ToolContext): Promise<unknown>;
      }
    > =
      toolkit === "jira"
        ? (createJiraToolkit({ defaultBaseUrl: () => undefined }).tools as never)
        : toolkit === "color"
          ? (colorToolkit.tools as never)
          : (createReleaseDriveToolkit(new WorkbookSource({ env: () => ({}) })).tools as never);
    const tool = tools[name];
    if (!tool) throw new Error(`no tool ${toolkit}/${name}`);
    const ctx = context(
      toolkit === "jira"
        ? {
            connected: async () => true,
            get: async () => ({ serverUrl: jira.url, token: dana.token, email: "" }),
            rejected: async (reason: string) => {
              throw new Error(`rejected: ${reason}`);
            },
          }
        : undeclaredCredential(toolkit),
    );
    const result: unknown = await tool.execute(tool.parameters.parse(args), ctx);
    return typeof result === "string" ? result : JSON.stringify(result);
  }

  it("every case is valid and has its sources here", () => {
    const cases = validateCases(allCases);
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(SOURCES).sort());
  });

  it("has at least five cases per agent", () => {
    for (const agent of ["demo-agent", "release-manager", "sprint-reviewer"]) {
      expect(allCases.filter((c) => c.agent === agent).length).toBeGreaterThanOrEqual(5);
    }
  });

  it.each(allCases.map((c) => [c.id, c] as const))("%s", async (_id, evalCase) => {
    const texts: string[] = [];
    for (const source of SOURCES[evalCase.id] ?? []) {
      texts.push("text" in source ? source.text : await run(source));
    }
    const found = normalize(texts.join("\n"));
    for (const fact of evalCase.facts) expect(found, fact).toContain(normalize(fact));
  });
});
