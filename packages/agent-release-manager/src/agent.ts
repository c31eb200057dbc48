import { defineAgent } from "@agentllm/sdk";
import { jiraToolkit } from "@agentllm/toolkit-jira";
import { RELEASE_MANAGER_INSTRUCTIONS } from "./instructions.ts";
import { releaseDriveToolkit } from "./workbook-toolkit.ts";

export default defineAgent({
  name: "release-manager",
  description:
    "Release status, blockers and freeze announcements from Jira, following the team's release workbook.",
  instructions: RELEASE_MANAGER_INSTRUCTIONS,
  // Thought summaries shown (Open WebUI's thinking block): a user sees why it picked a query.
  model: { model: "gemini-2.5-flash", temperature: 0.2, includeThoughts: true },
  toolkits: [jiraToolkit, releaseDriveToolkit],
  // A status question runs a workflow lookup, a template and two searches in some four rounds;
  // an announcement with its counts some six.
  maxSteps: 12,
});
