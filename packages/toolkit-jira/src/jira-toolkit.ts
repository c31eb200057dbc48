import { defineToolkit } from "@agentllm/sdk";
import type { FetchLike } from "./jira-client.ts";
import { jiraCredential } from "./jira-credential.ts";
import { addCommentTool } from "./tools/add-comment.ts";
import { createIssueTool } from "./tools/create-issue.ts";
import { extractSprintInfoTool } from "./tools/extract-sprint-info.ts";
import { getFixVersionsTool } from "./tools/get-fix-versions.ts";
import { getIssueTool } from "./tools/get-issue.ts";
import { getIssuesByTeamTool } from "./tools/get-issues-by-team.ts";
import { getIssuesDetailedTool, getIssuesSummaryTool } from "./tools/get-issues-list.ts";
import { getIssuesStatsTool } from "./tools/get-issues-stats.ts";
import { getSprintMetricsTool } from "./tools/get-sprint-metrics.ts";
import { updateIssueTool } from "./tools/update-issue.ts";

export interface JiraToolkitOptions {
  /** The server for users who give none; default: `JIRA_BASE_URL`, read when a tool runs. */
  readonly defaultBaseUrl?: () => string | undefined;
  /** One Jira request's wait (default 20 s). */
  readonly timeoutMs?: number;
  readonly fetch?: FetchLike;
}

/** The Jira toolkit with its options; `jiraToolkit` is the one agents use. */
export function createJiraToolkit(options: JiraToolkitOptions = {}) {
  const { credential, forTools } = parts(options);
  return defineToolkit({
    name: "jira",
    description:
      "Reads and (after the user approves) writes Jira (Cloud or Server/Data Center) as the user, with their own token.",
    credential,
    tools: {
      ...readTools(forTools),
      // Writes: each declares its side effect, so it runs only after the user approves.
      add_comment: addCommentTool(forTools),
      create_issue: createIssueTool(forTools),
      update_issue: updateIssueTool(forTools),
    },
  });
}

/**
 * The read tools only, for an agent whose job never changes Jira: a model's mistake cannot even
 * ask to. The same toolkit name, so one connected credential serves both.
 */
export function createJiraReadOnlyToolkit(options: JiraToolkitOptions = {}) {
  const { credential, forTools } = parts(options);
  return defineToolkit({
    name: "jira",
    description: "Reads Jira (Cloud or Server/Data Center) as the user, with their own token.",
    credential,
    tools: readTools(forTools),
  });
}

function parts(options: JiraToolkitOptions) {
  const shared = {
    defaultBaseUrl: options.defaultBaseUrl ?? (() => process.env.JIRA_BASE_URL || undefined),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const forTools = { ...shared, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
  return { credential: jiraCredential(shared), forTools };
}

function readTools(forTools: ReturnType<typeof parts>["forTools"]) {
  return {
    get_issue: getIssueTool(forTools),
    get_issues_stats: getIssuesStatsTool(forTools),
    get_issues_summary: getIssuesSummaryTool(forTools),
    get_issues_detailed: getIssuesDetailedTool(forTools),
    get_fix_versions: getFixVersionsTool(forTools),
    get_issues_by_team: getIssuesByTeamTool(forTools),
    extract_sprint_info: extractSprintInfoTool(forTools),
    get_sprint_metrics: getSprintMetricsTool(forTools),
  };
}

/** Every Jira tool, the writes behind the user's approval. */
export const jiraToolkit = createJiraToolkit();
/** The read tools only (see {@link createJiraReadOnlyToolkit}). */
export const jiraReadOnlyToolkit = createJiraReadOnlyToolkit();
