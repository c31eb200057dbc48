import { describe, expect, it } from "vitest";
import { NAMED_COLORS } from "./colors.ts";
import { buildPalette, PALETTE_EXPLANATIONS, PALETTE_TYPES } from "./palette.ts";

const hexes = (colors: ReturnType<typeof buildPalette>) => colors.map((color) => color.hex);

describe("buildPalette", () => {
  it("builds a complementary palette of red", () => {
    expect(buildPalette("#FF0000", "complementary")).toEqual([
      { role: "base", hex: "#FF0000", hsl: "hsl(0, 100%, 50%)" },
      { role: "complement", hex: "#00FFFF", hsl: "hsl(180, 100%, 50%)" },
      { role: "base tint", hex: "#FF8080", hsl: "hsl(0, 100%, 75%)" },
      { role: "complement shade", hex: "#009999", hsl: "hsl(180, 100%, 30%)" },
    ]);
  });

  it("builds an analogous palette of red", () => {
    expect(hexes(buildPalette("#FF0000", "analogous"))).toEqual(["#FF0080", "#FF0000", "#FF8000"]);
  });

  it("builds a triadic palette of red", () => {
    expect(hexes(buildPalette("#FF0000", "triadic"))).toEqual(["#FF0000", "#00FF00", "#0000FF"]);
  });

  it("builds a monochromatic palette of blue, dark to light", () => {
    expect(hexes(buildPalette("#0000FF", "monochromatic"))).toEqual([
      "#000055",
      "#0000AA",
      "#0000FF",
      "#5555FF",
      "#AAAAFF",
    ]);
  });

  it("lists a color the math repeats only once", () => {
    expect(hexes(buildPalette("#000000", "monochromatic"))).toEqual([
      "#000000",
      "#555555",
      "#AAAAAA",
    ]);
    expect(hexes(buildPalette("#808080", "triadic"))).toEqual(["#808080"]);
  });

  it("always includes the base color, for every named color and type", () => {
    for (const hex of Object.values(NAMED_COLORS)) {
      for (const type of PALETTE_TYPES) {
        const palette = buildPalette(hex, type);
        expect(palette.find((color) => color.role === "base")?.hex).toBe(hex);
        for (const color of palette) expect(color.hex).toMatch(/^#[0-9A-F]{6}$/);
      }
    }
  });

  it("explains every palette type", () => {
    for (const type of PALETTE_TYPES) expect(PALETTE_EXPLANATIONS[type]).not.toBe("");
  });
});
