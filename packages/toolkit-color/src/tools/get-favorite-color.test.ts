import { describe, expect, it } from "vitest";
import { FAVORITE_COLOR_KEY } from "../favorite-color.ts";
import { fakeToolContext, inMemorySettings } from "../testing/fake-tool-context.ts";
import { getFavoriteColor } from "./get-favorite-color.ts";

describe("get_favorite_color", () => {
  it("returns the saved color with its hex code", async () => {
    const settings = inMemorySettings({ [FAVORITE_COLOR_KEY]: "brown" });
    expect(await getFavoriteColor.execute({}, fakeToolContext({ settings }))).toEqual({
      favoriteColor: "brown",
      hex: "#A52A2A",
    });
  });

  it("returns null when none is set", async () => {
    expect(await getFavoriteColor.execute({}, fakeToolContext())).toEqual({ favoriteColor: null });
  });

  it("takes no arguments", () => {
    expect(getFavoriteColor.parameters.safeParse({}).success).toBe(true);
  });
});
