import { describe, expect, it } from "vitest";
import { FAVORITE_COLOR_KEY } from "../favorite-color.ts";
import { fakeToolContext, inMemorySettings } from "../testing/fake-tool-context.ts";
import { setFavoriteColor } from "./set-favorite-color.ts";

describe("set_favorite_color", () => {
  it("stores the normalized color in the user's settings", async () => {
    const settings = inMemorySettings();
    const result = await setFavoriteColor.execute(
      { color: " Purple" },
      fakeToolContext({ settings }),
    );
    expect(result).toEqual({
      favoriteColor: "purple",
      hex: "#800080",
      rememberedFor: "future conversations too",
    });
    expect(settings.values.get(FAVORITE_COLOR_KEY)).toBe("purple");
  });

  it("overwrites an earlier favorite", async () => {
    const settings = inMemorySettings({ [FAVORITE_COLOR_KEY]: "red" });
    await setFavoriteColor.execute({ color: "blue" }, fakeToolContext({ settings }));
    expect(settings.values.get(FAVORITE_COLOR_KEY)).toBe("blue");
  });

  it("warns an anonymous user's model that the color will not stick", async () => {
    const result = await setFavoriteColor.execute(
      { color: "red" },
      fakeToolContext({ userId: undefined }),
    );
    expect(result.rememberedFor).toMatch(/this request only/);
  });

  it("rejects a color outside the list, listing the allowed ones, and stores nothing", async () => {
    const settings = inMemorySettings();
    await expect(
      setFavoriteColor.execute({ color: "teal" }, fakeToolContext({ settings })),
    ).rejects.toThrow(
      '"teal" cannot be saved as a favorite color. Ask the user to choose one of: red, blue, green, yellow, purple, orange, pink, black, white, brown.',
    );
    expect(settings.values.size).toBe(0);
  });

  it("rejects malformed arguments", () => {
    expect(setFavoriteColor.parameters.safeParse({}).success).toBe(false);
    expect(setFavoriteColor.parameters.safeParse({ color: 3 }).success).toBe(false);
    expect(setFavoriteColor.parameters.safeParse({ color: "" }).success).toBe(false);
  });
});
