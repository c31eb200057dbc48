import { describe, expect, it } from "vitest";
import { FAVORITE_COLOR_KEY, readFavoriteColor, toFavoriteColor } from "./favorite-color.ts";
import { inMemorySettings } from "./testing/fake-tool-context.ts";

describe("toFavoriteColor", () => {
  it("accepts allowed colors in any case and spacing", () => {
    expect(toFavoriteColor("  Blue ")).toBe("blue");
  });

  it("rejects anything else", () => {
    expect(toFavoriteColor("teal")).toBeUndefined();
    expect(toFavoriteColor("#FF0000")).toBeUndefined();
    expect(toFavoriteColor("constructor")).toBeUndefined();
  });
});

describe("readFavoriteColor", () => {
  it("reads the stored color", async () => {
    expect(await readFavoriteColor(inMemorySettings({ [FAVORITE_COLOR_KEY]: "green" }))).toBe(
      "green",
    );
  });

  it("treats a missing or unusable value as unset", async () => {
    expect(await readFavoriteColor(inMemorySettings())).toBeUndefined();
    expect(
      await readFavoriteColor(inMemorySettings({ [FAVORITE_COLOR_KEY]: "chartreuse" })),
    ).toBeUndefined();
  });
});
