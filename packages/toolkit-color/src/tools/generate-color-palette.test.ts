import { describe, expect, it } from "vitest";
import { FAVORITE_COLOR_KEY } from "../favorite-color.ts";
import { fakeToolContext, inMemorySettings } from "../testing/fake-tool-context.ts";
import { generateColorPalette } from "./generate-color-palette.ts";

const favoriteRed = () =>
  fakeToolContext({ settings: inMemorySettings({ [FAVORITE_COLOR_KEY]: "red" }) });

describe("generate_color_palette", () => {
  it("builds from the favorite color by default", async () => {
    const result = await generateColorPalette.execute(
      { paletteType: "complementary" },
      favoriteRed(),
    );
    expect(result.baseColor).toEqual({ hex: "#FF0000", name: "red", source: "favorite" });
    expect(result.colors.map((color) => color.hex)).toEqual([
      "#FF0000",
      "#00FFFF",
      "#FF8080",
      "#009999",
    ]);
    expect(result.about).toMatch(/opposite/);
    expect(result).not.toHaveProperty("note");
  });

  it("builds from a given color instead", async () => {
    const result = await generateColorPalette.execute(
      { paletteType: "triadic", color: "#0000ff" },
      favoriteRed(),
    );
    expect(result.baseColor).toEqual({ hex: "#0000FF", name: null, source: "argument" });
    expect(result.colors.map((color) => color.hex)).toEqual(["#0000FF", "#FF0000", "#00FF00"]);
  });

  it("notes when a grey makes hue harmonies pointless", async () => {
    const result = await generateColorPalette.execute(
      { paletteType: "analogous", color: "white" },
      fakeToolContext(),
    );
    expect(result.note).toMatch(/no hue/);
  });

  it("asks for the favorite color when none is set and no color is given", async () => {
    await expect(
      generateColorPalette.execute({ paletteType: "analogous" }, fakeToolContext()),
    ).rejects.toThrow(/no favorite color set yet.*Ask the user/);
  });

  it("rejects an unknown palette type and a non-string color", () => {
    const parse = (args: unknown) => generateColorPalette.parameters.safeParse(args).success;
    expect(parse({ paletteType: "tetradic" })).toBe(false);
    expect(parse({})).toBe(false);
    expect(parse({ paletteType: "triadic", color: 255 })).toBe(false);
    expect(parse({ paletteType: "triadic" })).toBe(true);
  });
});
