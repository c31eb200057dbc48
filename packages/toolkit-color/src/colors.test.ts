import { describe, expect, it } from "vitest";
import {
  COLOR_NAMES,
  complementOf,
  contrastRatio,
  formatHsl,
  hexToHsl,
  hexToRgb,
  hslToHex,
  isAchromatic,
  NAMED_COLORS,
  nearestColorName,
  normalizeHex,
  parseColor,
  readableTextOn,
  rgbToHex,
  rotateHue,
} from "./colors.ts";

describe("normalizeHex", () => {
  it.each([
    ["#ff0000", "#FF0000"],
    ["ff0000", "#FF0000"],
    ["#abc", "#AABBCC"],
    ["  #0f0 ", "#00FF00"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeHex(input)).toBe(expected);
  });

  it.each(["#ff00", "#gggggg", "red", "", "#1234567"])("rejects %j", (input) => {
    expect(normalizeHex(input)).toBeUndefined();
  });
});

describe("parseColor", () => {
  it("knows the named colors, in any case", () => {
    expect(parseColor(" Purple ")).toEqual({ hex: "#800080", name: "purple" });
  });

  it("accepts hex codes without a name", () => {
    expect(parseColor("#3366cc")).toEqual({ hex: "#3366CC", name: undefined });
  });

  it("lists what it accepts when the color is unknown", () => {
    expect(() => parseColor("teal")).toThrow(/"teal".*red, blue, green, yellow/);
  });
});

describe("hex ↔ HSL", () => {
  it.each([
    ["#FF0000", { h: 0, s: 100, l: 50 }],
    ["#00FF00", { h: 120, s: 100, l: 50 }],
    ["#0000FF", { h: 240, s: 100, l: 50 }],
    ["#FFFFFF", { h: 0, s: 0, l: 100 }],
    ["#000000", { h: 0, s: 0, l: 0 }],
    ["#808080", { h: 0, s: 0, l: 50.196 }],
    ["#FFA500", { h: 38.824, s: 100, l: 50 }],
    ["#800080", { h: 300, s: 100, l: 25.098 }],
  ])("%s has the expected HSL", (hex, hsl) => {
    const actual = hexToHsl(hex);
    expect(actual.h).toBeCloseTo(hsl.h, 2);
    expect(actual.s).toBeCloseTo(hsl.s, 2);
    expect(actual.l).toBeCloseTo(hsl.l, 2);
  });

  it.each([
    [{ h: 0, s: 100, l: 50 }, "#FF0000"],
    [{ h: 180, s: 100, l: 50 }, "#00FFFF"],
    [{ h: 210, s: 50, l: 40 }, "#336699"],
    [{ h: 0, s: 0, l: 50 }, "#808080"],
    [{ h: 360, s: 100, l: 50 }, "#FF0000"],
  ])("%o → %s", (hsl, hex) => {
    expect(hslToHex(hsl)).toBe(hex);
  });

  it("round-trips every 12-bit color and every named color", () => {
    const hexes: string[] = Object.values(NAMED_COLORS);
    for (let value = 0; value < 0x1000; value++) {
      hexes.push(normalizeHex(value.toString(16).padStart(3, "0")) ?? "");
    }
    for (const hex of hexes) expect(hslToHex(hexToHsl(hex))).toBe(hex);
  });

  it("round-trips arbitrary 24-bit colors", () => {
    for (let value = 0; value < 0x1000000; value += 0x10101 * 7 + 13) {
      const hex = rgbToHex(hexToRgb(`#${value.toString(16).padStart(6, "0")}`));
      expect(hslToHex(hexToHsl(hex))).toBe(hex);
    }
  });

  it("formats HSL rounded, the way CSS writes it", () => {
    expect(formatHsl(hexToHsl("#FFA500"))).toBe("hsl(39, 100%, 50%)");
  });
});

describe("harmony math", () => {
  it("finds the complement on the opposite side of the wheel", () => {
    expect(complementOf("#FF0000")).toBe("#00FFFF");
    expect(complementOf("#0000FF")).toBe("#FFFF00");
    expect(complementOf("#336699")).toBe("#996633");
  });

  it("wraps hue rotation around 360°", () => {
    expect(rotateHue({ h: 350, s: 50, l: 50 }, 30).h).toBe(20);
    expect(rotateHue({ h: 10, s: 50, l: 50 }, -30).h).toBe(340);
  });

  it("treats greys as having no hue", () => {
    expect(isAchromatic("#000000")).toBe(true);
    expect(isAchromatic("#FFFFFF")).toBe(true);
    expect(isAchromatic("#7F8080")).toBe(true);
    expect(isAchromatic("#A52A2A")).toBe(false);
  });
});

describe("contrast", () => {
  it("rates black on white 21:1 and a color on itself 1:1", () => {
    expect(contrastRatio("#000000", "#FFFFFF")).toBe(21);
    expect(contrastRatio("#FFFFFF", "#000000")).toBe(21);
    expect(contrastRatio("#336699", "#336699")).toBe(1);
  });

  it("matches a published WCAG value", () => {
    // #767676 on white is the usual example of the lightest grey that passes AA (4.54:1).
    expect(contrastRatio("#767676", "#FFFFFF")).toBe(4.54);
  });

  it("picks the readable label color", () => {
    expect(readableTextOn("#FFFF00")).toBe("#000000");
    expect(readableTextOn("#0000FF")).toBe("#FFFFFF");
  });
});

describe("nearestColorName", () => {
  it("names each named color after itself", () => {
    for (const name of COLOR_NAMES) expect(nearestColorName(NAMED_COLORS[name])).toBe(name);
  });

  it("names an off-palette color by its closest neighbour", () => {
    expect(nearestColorName("#EE1111")).toBe("red");
    expect(nearestColorName("#1A1A1A")).toBe("black");
  });
});
