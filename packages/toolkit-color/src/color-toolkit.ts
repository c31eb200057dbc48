import { defineToolkit } from "@agentllm/sdk";
import { designColorSchemeForPurpose } from "./tools/design-color-scheme.ts";
import { formatTextWithTheme } from "./tools/format-text-with-theme.ts";
import { generateColorPalette } from "./tools/generate-color-palette.ts";
import { getFavoriteColor } from "./tools/get-favorite-color.ts";
import { setFavoriteColor } from "./tools/set-favorite-color.ts";

export const colorToolkit = defineToolkit({
  name: "color",
  description:
    "Remembers the user's favorite color and builds palettes, themed text and purpose-driven " +
    "color schemes from it, with real hex codes.",
  tools: {
    set_favorite_color: setFavoriteColor,
    get_favorite_color: getFavoriteColor,
    generate_color_palette: generateColorPalette,
    format_text_with_theme: formatTextWithTheme,
    design_color_scheme_for_purpose: designColorSchemeForPurpose,
  },
});
