import { defineToolkit } from "@agentllm/sdk";
import { writeGreeting } from "./tools/write-greeting.ts";

export const __CAMEL_NAME__Toolkit = defineToolkit({
  // Unique among the agent's toolkits; it also scopes the toolkit's per-user settings.
  name: "__AGENT_NAME__",
  // The key is the tool's name as the model sees it: letters, digits and underscores.
  tools: { write_greeting: writeGreeting },
});
