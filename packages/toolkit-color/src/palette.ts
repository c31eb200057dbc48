import { adjust, formatHsl, type Hsl, hexToHsl, hslToHex, rotateHue } from "./colors.ts";

export const PALETTE_TYPES = ["complementary", "analogous", "monochromatic", "triadic"] as const;

export type PaletteType = (typeof PALETTE_TYPES)[number];

export interface PaletteColor {
  /** What the color is to the base, e.g. "complement" or "analogous (+30°)". */
  readonly role: string;
  readonly hex: string;
  readonly hsl: string;
}

/** One sentence per harmony, given to the model so it can explain the palette to the user. */
export const PALETTE_EXPLANATIONS: Readonly<Record<PaletteType, string>> = {
  complementary:
    "Complementary colors sit opposite each other on the color wheel (180° apart), giving strong contrast.",
  analogous:
    "Analogous colors are neighbours on the color wheel (30° either side), so they blend smoothly.",
  monochromatic:
    "A monochromatic palette keeps one hue and saturation and varies only lightness, from shades to tints.",
  triadic:
    "Triadic colors are spaced evenly around the color wheel (120° apart): vivid but balanced.",
};

/**
 * The colors of one harmony around `baseHex`, base color included. A color repeated by the
 * math (the complement of grey is grey, the shade of black is black) is listed once, and
 * under the base's role when it is the base.
 */
export function buildPalette(baseHex: string, type: PaletteType): PaletteColor[] {
  const base = hexToHsl(baseHex);
  const normalizedBase = hslToHex(base);
  const seen = new Set<string>();
  const colors: PaletteColor[] = [];
  for (const [role, hsl] of HARMONIES[type](base)) {
    const hex = hslToHex(hsl);
    const isBase = role === "base";
    if (seen.has(hex) || (!isBase && hex === normalizedBase)) continue;
    seen.add(hex);
    colors.push({ role, hex, hsl: formatHsl(hexToHsl(hex)) });
  }
  return colors;
}

type Harmony = (base: Hsl) => Array<[role: string, hsl: Hsl]>;

const HARMONIES: Readonly<Record<PaletteType, Harmony>> = {
  complementary(base) {
    const complement = rotateHue(base, 180);
    return [
      ["base", base],
      ["complement", complement],
      ["base tint", towardWhite(base, 0.5)],
      ["complement shade", towardBlack(complement, 0.4)],
    ];
  },
  analogous(base) {
    return [
      ["analogous (-30°)", rotateHue(base, -30)],
      ["base", base],
      ["analogous (+30°)", rotateHue(base, 30)],
    ];
  },
  monochromatic(base) {
    // Steps are proportional to the room left on each side, so even very dark or very light
    // bases get distinct shades and tints instead of values clipped at 0% or 100%.
    return [
      ["deep shade", towardBlack(base, 2 / 3)],
      ["shade", towardBlack(base, 1 / 3)],
      ["base", base],
      ["tint", towardWhite(base, 1 / 3)],
      ["light tint", towardWhite(base, 2 / 3)],
    ];
  },
  triadic(base) {
    return [
      ["base", base],
      ["triadic (+120°)", rotateHue(base, 120)],
      ["triadic (+240°)", rotateHue(base, 240)],
    ];
  },
};

function towardWhite(hsl: Hsl, amount: number): Hsl {
  return adjust(hsl, { l: hsl.l + (100 - hsl.l) * amount });
}

function towardBlack(hsl: Hsl, amount: number): Hsl {
  return adjust(hsl, { l: hsl.l * (1 - amount) });
}
