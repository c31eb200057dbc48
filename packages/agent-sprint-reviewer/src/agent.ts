import { defineAgent } from "@agentllm/sdk";
import { googleDriveToolkit } from "@agentllm/toolkit-google-drive";
import { jiraReadOnlyToolkit } from "@agentllm/toolkit-jira";
import { sprintReviewerInstructions } from "./instructions.ts";

export default defineAgent({
  name: "sprint-reviewer",
  description:
    "Writes a team's sprint review in Markdown from Jira, with the team mapping from Google Drive.",
  instructions: (ctx) => sprintReviewerInstructions(ctx),
  // Low temperature: a review restates tool results, it should not embellish them.
  // Thought summaries shown (Open WebUI's thinking block): a user sees how it reads the sprint.
  model: { model: "gemini-2.5-flash", temperature: 0.2, includeThoughts: true },
  // Read-only Jira: a review reports on the sprint, it never changes an issue.
  toolkits: [jiraReadOnlyToolkit, googleDriveToolkit],
  // Mapping, issues, sprint, metrics and the team's sprint issues, backlog, then the answer,
  // with room for one retry.
  maxSteps: 12,
});
