export { adfToText } from "./adf-to-text.ts";
export { DEFAULT_JIRA_TIMEOUT_MS, MAX_JIRA_RESPONSE_BYTES } from "./jira-client.ts";
export { checkJiraCredential, jiraCredential, VALIDATE_TIMEOUT_MS } from "./jira-credential.ts";
export { MAX_JQL_CHARS, MAX_SEARCH_ISSUES, SEARCH_PAGE_SIZE } from "./jira-search.ts";
export {
  createJiraReadOnlyToolkit,
  createJiraToolkit,
  type JiraToolkitOptions,
  jiraReadOnlyToolkit,
  jiraToolkit,
} from "./jira-toolkit.ts";
export { isDataCenterToken, recognizeJiraToken } from "./recognize-jira-token.ts";
export { currentSprint, type SprintRef, sprintsInFields } from "./sprint-field.ts";
export {
  MAX_COMMENT_CHARS,
  MAX_DESCRIPTION_CHARS,
  MAX_ISSUE_COMMENTS,
} from "./tools/format-issue.ts";
export { MAX_FIX_VERSIONS } from "./tools/get-fix-versions.ts";
export {
  DEFAULT_TEAM_ISSUES,
  MAX_TEAM_COMPONENTS,
  MAX_TEAM_ISSUES,
  teamJql,
} from "./tools/get-issues-by-team.ts";
export {
  DEFAULT_DETAILED_ISSUES,
  DEFAULT_SUMMARY_ISSUES,
  DESCRIPTION_EXCERPT_CHARS,
  MAX_DETAILED_ISSUES,
  MAX_SUMMARY_ISSUES,
} from "./tools/get-issues-list.ts";
export { MAX_SPRINT_ISSUES, SPRINT_PAGE_SIZE } from "./tools/get-sprint-metrics.ts";
export {
  MAX_JIRA_TEXT_CHARS,
  MAX_LIST_ITEMS,
  MAX_NAME_CHARS,
  MAX_SUMMARY_CHARS,
} from "./tools/write-fields.ts";
