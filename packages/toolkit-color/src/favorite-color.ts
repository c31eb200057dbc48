import type { UserSettings } from "@agentllm/sdk";
import { COLOR_NAMES, type ColorName, isColorName } from "./colors.ts";

/** The key under which the color toolkit's user settings hold the favorite color. */
export const FAVORITE_COLOR_KEY = "favorite_color";

/** The colors a user may pick as favorite: exactly the named colors the toolkit knows. */
export const FAVORITE_COLORS: readonly ColorName[] = COLOR_NAMES;

export type FavoriteColor = ColorName;

/** Lower-cases and trims, so "  Blue " from the model counts as "blue"; otherwise undefined. */
export function toFavoriteColor(value: string): FavoriteColor | undefined {
  const normalized = value.trim().toLowerCase();
  return isColorName(normalized) ? normalized : undefined;
}

/**
 * The user's favorite color, or undefined when none is set. A stored value outside the
 * allowed list (written by hand, or by an older version) also counts as unset, so the agent
 * asks again instead of building on a color the tools cannot use.
 */
export async function readFavoriteColor(
  settings: UserSettings,
): Promise<FavoriteColor | undefined> {
  const stored = await settings.get(FAVORITE_COLOR_KEY);
  return stored === undefined ? undefined : toFavoriteColor(stored);
}

export function allowedColorsText(): string {
  return FAVORITE_COLORS.join(", ");
}
