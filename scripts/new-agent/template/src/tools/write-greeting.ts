import { defineTool, z } from "@agentllm/sdk";

const OPENINGS = {
  friendly: (name: string) => `Hi ${name}, great to see you!`,
  formal: (name: string) => `Good day, ${name}. It is a pleasure to meet you.`,
  pirate: (name: string) => `Ahoy, ${name}! Welcome aboard!`,
} as const;

export const writeGreeting = defineTool({
  // The model reads this to decide when to call the tool: say what it does and when.
  description:
    "Writes a greeting for a person. Call it whenever the user wants to greet or welcome someone.",
  // What the model must send. The same schema validates its arguments before execute runs.
  parameters: z.object({
    name: z.string().min(1).max(100).describe("Who to greet, e.g. 'Ada'"),
    style: z
      .enum(["friendly", "formal", "pirate"])
      .default("friendly")
      .describe("The tone of the greeting"),
    times: z.number().int().min(1).max(3).default(1).describe("How often to say it"),
  }),
  // Runs the tool. Return plain JSON data; throw to tell the model something went wrong.
  async execute({ name, style, times }, ctx) {
    ctx.logger.debug({ style, times }, "writing a greeting"); // never log user content at info
    const greeting = Array.from({ length: times }, () => OPENINGS[style](name)).join(" ");
    return { greeting, style };
  },
});
