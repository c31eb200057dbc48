import { defineTool, z } from "@agentllm/sdk";
import { resolveBaseColor } from "../base-color.ts";
import { renderHtml, renderMarkdown, TEXT_STYLES, themeFor } from "../text-theme.ts";
import { colorArgument } from "./color-argument.ts";

export const formatTextWithTheme = defineTool({
  description:
    "Formats a piece of text with a color theme built from the user's favorite color (or a " +
    "given color). Returns a markdown version (with a color swatch) to show in chat, an HTML " +
    "snippet with inline styles to copy into a page, and the theme's hex codes.",
  status: "Formatting the text…",
  parameters: z.object({
    text: z.string().min(1).max(2000).describe("The text to format, as the user wants it shown."),
    style: z
      .enum(TEXT_STYLES)
      .optional()
      .describe(
        "How to present the text: callout (tinted box with a colored bar, the default), " +
          "heading (colored title with an underline) or badge (short label on a colored pill).",
      ),
    color: colorArgument,
  }),
  async execute({ text, style = "callout", color }, ctx) {
    const base = await resolveBaseColor(color, ctx.settings);
    const theme = themeFor(base.hex);
    return {
      style,
      baseColor: { hex: base.hex, name: base.name ?? null, source: base.source },
      theme,
      markdown: renderMarkdown(text, theme, style),
      html: renderHtml(text, theme, style),
    };
  },
});
