import { defineTool, z } from "@agentllm/sdk";
import { NAMED_COLORS } from "../colors.ts";
import { readFavoriteColor } from "../favorite-color.ts";

export const getFavoriteColor = defineTool({
  description:
    "Looks up the user's saved favorite color. Returns favoriteColor null when none is set; " +
    "then ask the user for it rather than choosing one.",
  status: "Looking up your favorite color…",
  parameters: z.object({}),
  async execute(_args, ctx) {
    const favoriteColor = await readFavoriteColor(ctx.settings);
    if (favoriteColor === undefined) return { favoriteColor: null };
    return { favoriteColor, hex: NAMED_COLORS[favoriteColor] };
  },
});
