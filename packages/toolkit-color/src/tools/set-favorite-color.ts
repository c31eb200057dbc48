import { defineTool, z } from "@agentllm/sdk";
import { NAMED_COLORS } from "../colors.ts";
import { allowedColorsText, FAVORITE_COLOR_KEY, toFavoriteColor } from "../favorite-color.ts";

export const setFavoriteColor = defineTool({
  description:
    "Saves the user's favorite color so the other color tools can use it by default. Call it " +
    "as soon as the user names their favorite color, using exactly the color they chose. " +
    `Accepted colors: ${allowedColorsText()}.`,
  status: "Saving your favorite color…",
  parameters: z.object({
    color: z
      .string()
      .min(1)
      .describe(
        `The color the user named as their favorite, one of: ${allowedColorsText()}. ` +
          "Never guess it: ask the user if they have not said.",
      ),
  }),
  async execute({ color }, ctx) {
    const favoriteColor = toFavoriteColor(color);
    if (favoriteColor === undefined) {
      throw new Error(
        `"${color}" cannot be saved as a favorite color. ` +
          `Ask the user to choose one of: ${allowedColorsText()}.`,
      );
    }
    await ctx.settings.set(FAVORITE_COLOR_KEY, favoriteColor);
    ctx.logger.debug({ favoriteColor }, "favorite color saved");
    return {
      favoriteColor,
      hex: NAMED_COLORS[favoriteColor],
      // Anonymous settings vanish after this request; saying so keeps the model from
      // promising the user it will remember.
      rememberedFor:
        ctx.userId === undefined
          ? "this request only (anonymous user): pass the color explicitly in later tool calls"
          : "future conversations too",
    };
  },
});
