export { type AdfNode, textToAdf, textToWiki } from "./adf.ts";
export {
  CLOUD_UNAUTHENTICATED,
  ISSUE_FORBIDDEN,
  ISSUE_NOT_FOUND,
  type JiraErrorBody,
  jiraError,
  SERVER_UNAUTHENTICATED,
} from "./jira-error.ts";
export type { JiraFlavour } from "./routes.ts";
export {
  type FakeComment,
  type FakeIssue,
  type FakeJiraUser,
  type FakeVersion,
  seedIssues,
  seedUsers,
  seedVersions,
} from "./seed.ts";
export {
  type FakeJira,
  type FakeJiraFault,
  type FakeJiraOptions,
  type RecordedJiraRequest,
  startFakeJira,
} from "./server.ts";
export {
  type FakeJiraWrite,
  JIRA_SUMMARY_LIMIT,
  JIRA_TEXT_LIMIT,
} from "./write-routes.ts";
