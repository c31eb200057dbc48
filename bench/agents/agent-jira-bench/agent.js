// Plain JavaScript, so the compiled runtime (the benchmark's default) loads it as it is; its
// imports resolve to the packages' compiled `production` exports there, to their sources under tsx.
import { defineAgent } from "@agentllm/sdk";
import { jiraToolkit } from "@agentllm/toolkit-jira";

export default defineAgent({
  name: "jira-bench",
  description: "Reads Jira issues as the user (the benchmark's tool-heavy agent).",
  instructions: "You read Jira issues for the user with get_issue.",
  toolkits: [jiraToolkit],
  maxSteps: 3,
});
