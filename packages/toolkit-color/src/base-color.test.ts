import { describe, expect, it } from "vitest";
import { resolveBaseColor } from "./base-color.ts";
import { FAVORITE_COLOR_KEY } from "./favorite-color.ts";
import { inMemorySettings } from "./testing/fake-tool-context.ts";

describe("resolveBaseColor", () => {
  const withFavorite = inMemorySettings({ [FAVORITE_COLOR_KEY]: "orange" });

  it("prefers an explicit color", async () => {
    expect(await resolveBaseColor("#123456", withFavorite)).toEqual({
      hex: "#123456",
      name: undefined,
      source: "argument",
    });
  });

  it("falls back to the favorite color, also for a blank argument", async () => {
    const expected = { hex: "#FFA500", name: "orange", source: "favorite" };
    expect(await resolveBaseColor(undefined, withFavorite)).toEqual(expected);
    expect(await resolveBaseColor("  ", withFavorite)).toEqual(expected);
  });

  it("tells the model to ask the user when there is no favorite", async () => {
    await expect(resolveBaseColor(undefined, inMemorySettings())).rejects.toThrow(
      /Ask the user for their favorite color \(one of: red, blue.*set_favorite_color/,
    );
  });

  it("rejects a color it cannot parse", async () => {
    await expect(resolveBaseColor("sky", withFavorite)).rejects.toThrow(/"sky" is not a color/);
  });
});
