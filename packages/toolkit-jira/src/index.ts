export { adfToText } from "./adf-to-text.ts";
export { DEFAULT_JIRA_TIMEOUT_MS, MAX_JIRA_RESPONSE_BYTES } from "./jira-client.ts";
export { checkJiraCredential, jiraCredential, VALIDATE_TIMEOUT_MS } from "./jira-credential.ts";
export { createJiraToolkit, type JiraToolkitOptions, jiraToolkit } from "./jira-toolkit.ts";
export { isDataCenterToken, recognizeJiraToken } from "./recognize-jira-token.ts";
export {
  MAX_COMMENT_CHARS,
  MAX_DESCRIPTION_CHARS,
  MAX_ISSUE_COMMENTS,
} from "./tools/format-issue.ts";
