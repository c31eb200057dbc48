import type { FakeDriveFile } from "./drive-seed.ts";
import type { FakeGoogleUser } from "./oauth-state.ts";

/** The release team's account: the only reader of the override Sheet, so others fall back. */
export const RELEASE_TEAM_EMAIL = "rita@example.test";
/** Rita as a fake Google user (pass her in `users`, besides Ada, to sign her in). */
export const RELEASE_TEAM_GOOGLE_USER: FakeGoogleUser = {
  sub: "100000000000000000007",
  email: RELEASE_TEAM_EMAIL,
  name: "Rita Vance",
};
export const RELEASE_WORKBOOK_SHEET_ID = "1ReleaseManagerWorkbookSheet000000000000RM";

/**
 * The release manager's workbook override as Google exports the Sheet's first tab (CSV, CRLF,
 * quoted cells for commas and line breaks): one row per entry, `kind,name,value`, and a notes
 * column the agent ignores. It differs from the shipped workbook where a test can see it: the
 * announce channel, the code-freeze announcement, a new workflow and query for hotfixes. One
 * row is wrong on purpose (an unknown kind), to show it skipped and named.
 */
export const RELEASE_WORKBOOK_CSV = [
  "kind,name,value,notes",
  "config,announce_channel,#release-train,where announcements go",
  "config,release_manager,Rita Vance,",
  `message,code_freeze_announcement,"FROZEN: {product_name} {version} is code-frozen from {freeze_date}.\nOpen: {open_count} (blockers: {blocker_count}). Only blocker fixes merge.\nPost questions in {announce_channel}. Rita Vance, release manager",edited by Rita`,
  `workflow,hotfix_candidates,"1. Fill hotfix_candidates with the version and run it with get_issues_summary.\n2. List each issue with its key and priority.",`,
  "trigger,hotfix_candidates,hotfix candidates,",
  "trigger,hotfix_candidates,what could go into a hotfix,",
  `query,hotfix_candidates,"project = {project_key} AND fixVersion = ""{version}"" AND issuetype = Bug AND status = Done",`,
  "",
  "# kinds: config workflow trigger query message prompt tool,,,",
  "team,release_captain,Rita,not a kind the agent knows",
  "",
].join("\r\n");

/** The Sheet in the fake Drive; a test replaces it (a new `modifiedTime`) to show a change. */
export function releaseWorkbookFile(): FakeDriveFile {
  return {
    id: RELEASE_WORKBOOK_SHEET_ID,
    name: "Release manager workbook",
    mimeType: "application/vnd.google-apps.spreadsheet",
    readers: [RELEASE_TEAM_EMAIL],
    createdTime: "2026-08-03T09:00:00.000Z",
    modifiedTime: "2026-11-25T15:20:00.000Z",
    exports: { "text/csv": RELEASE_WORKBOOK_CSV },
  };
}
