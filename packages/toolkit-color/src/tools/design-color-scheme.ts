import { defineTool, z } from "@agentllm/sdk";
import { resolveBaseColor } from "../base-color.ts";
import { designScheme } from "../color-scheme.ts";
import { detectMood } from "../purpose-mood.ts";
import { colorArgument } from "./color-argument.ts";

export const designColorSchemeForPurpose = defineTool({
  description:
    "Designs a complete color scheme (primary, secondary, accent, background, text) for a " +
    "purpose such as 'calming meditation app' or 'law firm website'. It reads the mood from the " +
    "purpose (calm, energetic, professional, playful, elegant, or balanced when none fits), " +
    "adapts the user's favorite color (or a given color) to it, and returns hex codes, a " +
    "rationale per role and contrast checks. Present the hex codes and explain the reasoning.",
  status: "Designing a color scheme…",
  parameters: z.object({
    purpose: z
      .string()
      .min(3)
      .max(300)
      .describe(
        "What the scheme is for, in the user's words, including the feeling they want: " +
          "e.g. 'calming meditation app' or 'energetic fitness tracker'.",
      ),
    color: colorArgument,
  }),
  async execute({ purpose, color }, ctx) {
    const base = await resolveBaseColor(color, ctx.settings);
    const { mood, matchedKeywords } = detectMood(purpose);
    const scheme = designScheme(base.hex, mood);
    return {
      purpose,
      mood,
      matchedKeywords,
      baseColor: { hex: base.hex, name: base.name ?? null, source: base.source },
      approach: scheme.approach,
      scheme: scheme.colors,
      contrast: scheme.contrast,
    };
  },
});
