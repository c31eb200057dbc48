import { defineAgent } from "@agentllm/sdk";
import { colorToolkit } from "@agentllm/toolkit-color";
import { demoInstructions } from "./instructions.ts";

export default defineAgent({
  name: "demo-agent",
  description:
    "A friendly tour of AgentLLM: remembers your favorite color and shows off color tools.",
  instructions: demoInstructions,
  // Thinks visibly: the demo shows Open WebUI's thinking block. 1024 tokens keep a tour
  // question's thinking short (latency and cost) while leaving room for a real plan.
  model: {
    model: "gemini-2.5-flash",
    temperature: 0.7,
    thinkingBudget: 1024,
    includeThoughts: true,
  },
  toolkits: [colorToolkit],
  maxSteps: 8,
  // knowledge/ beside package.json: Quillmoor Pigments, a made-up company, searched with
  // search_knowledge.
  knowledge: {},
});
