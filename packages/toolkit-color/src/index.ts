export { colorToolkit } from "./color-toolkit.ts";
export {
  FAVORITE_COLOR_KEY,
  FAVORITE_COLORS,
  type FavoriteColor,
  readFavoriteColor,
} from "./favorite-color.ts";
