import type { UserSettings } from "@agentllm/sdk";
import { type ColorName, NAMED_COLORS, parseColor } from "./colors.ts";
import { allowedColorsText, readFavoriteColor } from "./favorite-color.ts";

/** The color a palette or scheme is built from, and where it came from. */
export interface BaseColor {
  readonly hex: string;
  /** Set when the color is one of the named colors. */
  readonly name: ColorName | undefined;
  readonly source: "argument" | "favorite";
}

/**
 * An explicit `color` argument wins; otherwise the user's favorite color. With neither, the
 * error tells the model what to do next, because it reads tool errors as instructions.
 */
export async function resolveBaseColor(
  color: string | undefined,
  settings: UserSettings,
): Promise<BaseColor> {
  if (color !== undefined && color.trim() !== "") {
    return { ...parseColor(color), source: "argument" };
  }
  const favorite = await readFavoriteColor(settings);
  if (favorite === undefined) {
    throw new Error(
      "The user has no favorite color set yet. Ask the user for their favorite color " +
        `(one of: ${allowedColorsText()}), save it with set_favorite_color, then call this tool again. ` +
        "Do not pick a color for them.",
    );
  }
  return { hex: NAMED_COLORS[favorite], name: favorite, source: "favorite" };
}
