import type { EvalCase } from "../eval-case.ts";

// agno/sprint-reviewer with the seeded team mapping (Web = Frontend, Core = Backend,
// Platform = Platform, all in DEMO) and the fake Jira's active sprint, DEMO Sprint 12.

export const sprintReviewerCases: EvalCase[] = [
  {
    id: "sprint-review-web",
    agent: "sprint-reviewer",
    messages: [{ role: "user", content: "Sprint review for the Web team, please." }],
    expectedTools: [
      { name: "get_document_content" },
      { name: "get_issues_by_team", args: { project: "DEMO", components: ["Frontend"] } },
      { name: "get_sprint_metrics", args: { sprint_id: 12 } },
    ],
    facts: ["DEMO Sprint 12", "DEMO-21", "DEMO-27"],
    rubric:
      "A sprint review in Markdown for the Web team: what was done (DEMO-27), what is blocked (DEMO-21), and the sprint's metrics.",
  },
  {
    id: "sprint-review-core",
    agent: "sprint-reviewer",
    messages: [{ role: "user", content: "Write the sprint review for the Core team." }],
    expectedTools: [
      { name: "get_document_content" },
      { name: "get_issues_by_team", args: { project: "DEMO", components: ["Backend"] } },
    ],
    facts: ["DEMO Sprint 12", "DEMO-31", "DEMO-1"],
  },
  {
    id: "sprint-blocked-web",
    agent: "sprint-reviewer",
    messages: [{ role: "user", content: "What is blocked in the Web team's current sprint?" }],
    expectedTools: [
      { name: "get_issues_by_team", args: { project: "DEMO", components: ["Frontend"] } },
    ],
    facts: ["DEMO-21", "Speed up the invoice list"],
  },
  {
    id: "sprint-metrics-platform",
    agent: "sprint-reviewer",
    messages: [
      { role: "user", content: "Give me the current sprint's metrics for the Platform team." },
    ],
    expectedTools: [{ name: "get_sprint_metrics", args: { sprint_id: 12 } }],
    // "Sprint 12", not the full name: a metrics answer often drops the board's prefix.
    facts: ["Sprint 12"],
    rubric: "The answer gives the sprint's planned and closed counts and a completion ratio.",
  },
  {
    id: "sprint-backlog-core",
    agent: "sprint-reviewer",
    messages: [
      { role: "user", content: "What is waiting in the Core team's backlog, outside any sprint?" },
    ],
    expectedTools: [{ name: "get_document_content" }],
    facts: ["DEMO-37", "DEMO-40"],
  },
  {
    id: "sprint-missing-team",
    agent: "sprint-reviewer",
    messages: [{ role: "user", content: "Sprint review for the Mobile team." }],
    expectedTools: [{ name: "get_document_content" }],
    facts: ["Web", "Core", "Platform"],
    rubric:
      "The answer says the team mapping has no Mobile team, names the teams it does have, and does not write a review for a Mobile team.",
  },
];
