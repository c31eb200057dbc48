import type { Workbook } from "./workbook-schema.ts";

/**
 * The workbook the agent ships with: a fictional product, Beacon, tracked in the Jira project
 * DEMO (the fake Jira's seed: versions 4.2 to 5.0, components Frontend, Backend and Platform
 * standing for teams). A team replaces any entry from its Google Sheet (see README.md); every
 * entry the Sheet leaves out stays as here. Templates use `{placeholder}`s: config values fill
 * themselves, the rest comes from the tool call.
 */
export const DEFAULT_WORKBOOK: Workbook = {
  config: {
    project_key: "DEMO",
    product_name: "Beacon",
    release_cadence:
      "A minor release every six weeks; feature freeze three weeks and code freeze one week before each release date. One major release (5.0) a year.",
    teams: "Frontend, Backend, Platform (each is a Jira component)",
    announce_channel: "#beacon-announce",
    release_channel: "#beacon-release",
    release_manager: "the release manager on duty",
    release_note_label: "release-note-needed",
  },
  workflows: {
    release_dates: `1. Call get_fix_versions with project {project_key}.
2. List each unreleased version with its release date (or "no date set"), then the last released one.
3. Add the cadence from get_project_config when the user asks what comes next.`,
    release_status: `1. Ask for the version if the user named none (get_fix_versions lists them).
2. Fill the query release_issues with get_jira_query_template and run it with get_issues_stats.
3. Report the totals by status and by issue type, then what is still open.
4. Fill blocker_bugs, run it with get_issues_summary, and name each open blocker with its key.`,
    issues_by_team: `1. Teams are Jira components: see the teams entry of get_project_config.
2. For each team, fill team_open_issues with the version and the team, and run it with get_issues_stats.
3. Give one line per team: open issues, and how many of them are bugs.`,
    blocker_bugs: `1. Fill blocker_bugs with the version and run it with get_issues_summary.
2. List each blocker: key, summary, status, assignee (or "unassigned").
3. None open: say so plainly; that is good news for the release.`,
    security_issues: `1. Fill security_issues with the version and run it with get_issues_summary.
2. List each issue with its key and status; CVE ids in summaries go first.
3. Remind the user that open security issues hold the release unless the security team waives them.`,
    release_epics: `1. Fill release_epics with the version and run it with get_issues_summary.
2. Group the epics by status: done, in progress, not started.`,
    release_notes: `1. Fill missing_release_notes with the version and run it with get_issues_summary.
2. These issues are done but still need a release note: list them by assignee so each person knows what to write.`,
    feature_freeze_update: `1. Fill open_release_issues and run it with get_issues_stats; fill release_epics and run it with get_issues_summary.
2. Draft the update from the message feature_freeze_update, with the counts you found.
3. Show the draft to the user; never post it anywhere yourself.`,
    feature_freeze_announcement: `1. Take the release date from get_fix_versions and the freeze date from the user (or the cadence in get_project_config).
2. Draft the announcement from the message feature_freeze_announcement.
3. Show the draft to the user; never post it anywhere yourself.`,
    code_freeze_update: `1. Fill open_release_issues and run it with get_issues_stats; fill blocker_bugs and run it with get_issues_summary.
2. Draft the update from the message code_freeze_update, with the counts and the blocker keys.
3. Show the draft to the user; never post it anywhere yourself.`,
    code_freeze_announcement: `1. Fill open_release_issues and run it with get_issues_stats; fill blocker_bugs and run it with get_issues_stats for the count.
2. Get the message code_freeze_announcement with get_slack_template, passing version, freeze_date, open_count and blocker_count.
3. Show the draft to the user, ready to paste; never post it anywhere yourself.`,
  },
  triggers: {
    release_dates: ["release dates", "release date", "when is the release", "release schedule"],
    release_status: [
      "release status",
      "status of the release",
      "status by issue type",
      "release health",
    ],
    issues_by_team: ["issues by team", "by team", "per team", "team breakdown"],
    blocker_bugs: ["blocker bugs", "blockers", "blocking the release"],
    security_issues: ["cves", "cve", "security issues", "vulnerabilities"],
    release_epics: ["epics", "features in the release"],
    release_notes: ["release notes", "outstanding release notes", "missing release notes"],
    feature_freeze_update: ["feature freeze update", "feature freeze status"],
    feature_freeze_announcement: ["feature freeze announcement", "announce the feature freeze"],
    code_freeze_update: ["code freeze update", "code freeze status"],
    code_freeze_announcement: ["code freeze announcement", "announce the code freeze"],
  },
  queries: {
    release_issues: `project = {project_key} AND fixVersion = "{version}" ORDER BY key ASC`,
    open_release_issues: `project = {project_key} AND fixVersion = "{version}" AND status != Done ORDER BY key ASC`,
    team_open_issues: `project = {project_key} AND fixVersion = "{version}" AND component = "{team}" AND status != Done ORDER BY key ASC`,
    blocker_bugs: `project = {project_key} AND fixVersion = "{version}" AND issuetype = Bug AND priority in (Highest, High) AND status != Done ORDER BY key ASC`,
    security_issues: `project = {project_key} AND fixVersion = "{version}" AND labels in (security, cve) ORDER BY key ASC`,
    release_epics: `project = {project_key} AND fixVersion = "{version}" AND issuetype = Epic ORDER BY key ASC`,
    missing_release_notes: `project = {project_key} AND fixVersion = "{version}" AND status = Done AND labels = "{release_note_label}" ORDER BY key ASC`,
  },
  messages: {
    feature_freeze_announcement: `*{product_name} {version}: feature freeze on {freeze_date}*
After that day only work already merged ships in {version}; new features wait for the next version.
Release date: {release_date}. Questions go to {release_channel}.`,
    feature_freeze_update: `*{product_name} {version} feature freeze: where we are*
Open issues: {open_count}. Epics not done: {open_epics}.
Please move anything that will not make it to the next version today.`,
    code_freeze_announcement: `*{product_name} {version}: code freeze from {freeze_date}*
From then on only fixes for release blockers merge for {version}.
Still open: {open_count} issues, of which {blocker_count} are blocker bugs.
Questions go to {release_channel}.`,
    code_freeze_update: `*{product_name} {version} code freeze: daily update*
Open issues: {open_count}. Blocker bugs: {blocker_count} ({blocker_keys}).
Owners of blockers, please post your status in {release_channel}.`,
  },
  prompts: {
    status_report: `Lead with the answer: on track, at risk or late, and why in one sentence. Then the numbers (open by status, by type), then the blockers by key. Link the Jira search the tool returned. No more than fifteen lines.`,
    announcement_style: `Announcements are short and plain: what happens, when, what people must do. Keep the template's lines and order; fill every placeholder from tool results or ask the user; never invent a number or a date.`,
  },
  tools: {
    get_fix_versions: "The project's versions with release dates and whether they are released.",
    get_issues_stats:
      "Counts for a JQL query by status, type and priority: for any how-many or progress question.",
    get_issues_summary: "One line per issue for a JQL query: for lists of blockers, epics, CVEs.",
    get_issues_detailed: "Issues with descriptions: only when the user wants the details.",
    get_issue: "One issue by key, with its comments.",
    get_document_content: "Reads a Google Doc or Sheet the user links to (release plans).",
  },
};
