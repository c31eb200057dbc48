import { defineTool, z } from "@agentllm/sdk";
import { resolveBaseColor } from "../base-color.ts";
import { isAchromatic } from "../colors.ts";
import { buildPalette, PALETTE_EXPLANATIONS, PALETTE_TYPES } from "../palette.ts";
import { colorArgument } from "./color-argument.ts";

export const generateColorPalette = defineTool({
  description:
    "Generates a color palette with exact hex codes, computed with HSL color-wheel math from " +
    "the user's favorite color (or a given color). Always use this tool when the user wants a " +
    "palette, and quote the hex codes it returns instead of inventing colors.",
  status: "Generating a palette…",
  parameters: z.object({
    paletteType: z
      .enum(PALETTE_TYPES)
      .describe(
        "The harmony: complementary (opposite hues, strong contrast), analogous (neighbouring " +
          "hues, smooth), monochromatic (one hue, shades to tints), triadic (three hues 120° apart).",
      ),
    color: colorArgument,
  }),
  async execute({ paletteType, color }, ctx) {
    const base = await resolveBaseColor(color, ctx.settings);
    return {
      paletteType,
      about: PALETTE_EXPLANATIONS[paletteType],
      baseColor: { hex: base.hex, name: base.name ?? null, source: base.source },
      colors: buildPalette(base.hex, paletteType),
      ...(isAchromatic(base.hex) && paletteType !== "monochromatic"
        ? {
            note: "The base color has no hue, so color-wheel harmonies only vary its lightness. A monochromatic palette or another color works better.",
          }
        : {}),
    };
  },
});
