import type { EvalCase } from "../eval-case.ts";

// agno/release-manager on its shipped workbook (product Beacon, project DEMO) and the fake
// Jira's seed: version 4.4 holds 10 issues, none done; its one open blocker bug is DEMO-1.

export const releaseManagerCases: EvalCase[] = [
  {
    id: "release-status-4-4",
    agent: "release-manager",
    messages: [{ role: "user", content: "What is the release status of 4.4?" }],
    expectedTools: [
      { name: "get_workflow_instructions" },
      { name: "get_issues_stats", args: { jql: "fixVersion" } },
    ],
    facts: ["DEMO-1", "10"],
    rubric:
      "The answer says how many issues 4.4 has (10, none done) and names DEMO-1 as an open blocker bug.",
  },
  {
    id: "release-blockers-4-4",
    agent: "release-manager",
    messages: [{ role: "user", content: "Which blocker bugs are still open for 4.4?" }],
    expectedTools: [{ name: "get_issues_summary", args: { jql: "4.4" } }],
    facts: ["DEMO-1", "Export to CSV drops rows with non-ASCII names", "Dana Reyes"],
  },
  {
    id: "release-dates",
    agent: "release-manager",
    messages: [{ role: "user", content: "When is the next release date?" }],
    expectedTools: [{ name: "get_fix_versions", args: { project: "DEMO" } }],
    facts: ["4.4"],
    rubric:
      "The answer says 4.4 is the next release, due on 10 December 2026 (in any date format), and does not invent a date for 5.0.",
  },
  {
    id: "release-code-freeze-announcement",
    agent: "release-manager",
    messages: [
      {
        role: "user",
        content: "Draft the code freeze announcement for 4.4; the freeze starts 2026-12-03.",
      },
    ],
    expectedTools: [
      { name: "get_slack_template", args: { name: "code_freeze_announcement" } },
      { name: "get_issues_stats", args: { jql: "4.4" } },
    ],
    facts: ["Beacon 4.4", "2026-12-03", "#beacon-release"],
    rubric:
      "The draft says 10 issues are still open, of which 1 is a blocker bug, and is shown to the user rather than said to be posted.",
  },
  {
    id: "release-issues-by-team",
    agent: "release-manager",
    messages: [{ role: "user", content: "How many open issues does each team have in 4.4?" }],
    expectedTools: [{ name: "get_issues_stats", args: { jql: "component" } }],
    facts: ["Frontend", "Backend", "Platform"],
    rubric: "The answer gives Backend 4 open issues, Frontend 3 and Platform 3 for version 4.4.",
  },
  {
    id: "release-issue-detail",
    agent: "release-manager",
    messages: [{ role: "user", content: "What is going on with DEMO-1?" }],
    expectedTools: [{ name: "get_issue", args: { issue_key: "DEMO-1" } }],
    facts: ["In Progress", "Dana Reyes", "Latin-1"],
  },
];
