export { type AdfNode, textToAdf, textToWiki } from "./adf.ts";
export { AGILE_LIST_PAGE_LIMIT, BOARD_NOT_FOUND, SPRINT_NOT_FOUND } from "./agile-routes.ts";
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
  MAX_RESPONSE_DELAY_MS,
  type RecordedJiraRequest,
  startFakeJira,
} from "./server.ts";
export {
  CLOUD_SPRINT_FIELD,
  legacySprintString,
  SERVER_SPRINT_FIELD,
} from "./sprint-field.ts";
export {
  type FakeBoard,
  type FakeSprint,
  seedBoards,
  seedSprints,
  seedSprintsOfDemoIssue,
} from "./sprint-seed.ts";
export {
  type FakeJiraWrite,
  JIRA_SUMMARY_LIMIT,
  JIRA_TEXT_LIMIT,
} from "./write-routes.ts";
