import { defineAgent } from "@agentllm/sdk";
import { instructions } from "./instructions.ts";
import { __CAMEL_NAME__Toolkit } from "./toolkit.ts";

export default defineAgent({
  name: "__AGENT_NAME__", // clients use the model "agno/__AGENT_NAME__"
  description: "Writes greetings: a starting point made with `npx just new-agent`.",
  instructions,
  model: { model: "gemini-2.5-flash", temperature: 0.7 },
  toolkits: [__CAMEL_NAME__Toolkit],
  maxSteps: 6,
});
