/** Red, green and blue channels, each 0–255. */
export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/**
 * Hue in degrees [0, 360), saturation and lightness in percent [0, 100].
 * Values stay unrounded so that hex → HSL → hex gives back the same hex.
 */
export interface Hsl {
  readonly h: number;
  readonly s: number;
  readonly l: number;
}

/** The color names the toolkit understands, with the CSS value of each. */
export const NAMED_COLORS = {
  red: "#FF0000",
  blue: "#0000FF",
  green: "#008000",
  yellow: "#FFFF00",
  purple: "#800080",
  orange: "#FFA500",
  pink: "#FFC0CB",
  black: "#000000",
  white: "#FFFFFF",
  brown: "#A52A2A",
} as const;

export type ColorName = keyof typeof NAMED_COLORS;

export const COLOR_NAMES = Object.keys(NAMED_COLORS) as ColorName[];

export function isColorName(value: string): value is ColorName {
  return Object.hasOwn(NAMED_COLORS, value);
}

const HEX_PATTERN = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i;

/** `#abc`, `abc`, `#aabbcc` → `#AABBCC`; anything else → undefined. */
export function normalizeHex(input: string): string | undefined {
  const digits = HEX_PATTERN.exec(input.trim())?.[1];
  if (digits === undefined) return undefined;
  const full = digits.length === 3 ? [...digits].map((digit) => digit + digit).join("") : digits;
  return `#${full.toUpperCase()}`;
}

/** A color as the model may write it: one of the names above or a hex code. */
export interface ParsedColor {
  readonly hex: string;
  readonly name: ColorName | undefined;
}

export function parseColor(input: string): ParsedColor {
  const lowered = input.trim().toLowerCase();
  if (isColorName(lowered)) return { hex: NAMED_COLORS[lowered], name: lowered };
  const hex = normalizeHex(lowered);
  if (hex !== undefined) return { hex, name: undefined };
  throw new Error(
    `"${input}" is not a color I know. Use a hex code like #3366CC or one of: ${COLOR_NAMES.join(", ")}.`,
  );
}

export function hexToRgb(hex: string): Rgb {
  const normalized = normalizeHex(hex);
  if (normalized === undefined) throw new Error(`"${hex}" is not a hex color`);
  const value = Number.parseInt(normalized.slice(1), 16);
  return { r: (value >> 16) & 0xff, g: (value >> 8) & 0xff, b: value & 0xff };
}

export function rgbToHex({ r, g, b }: Rgb): string {
  const channel = (value: number) =>
    Math.round(clamp(value, 0, 255))
      .toString(16)
      .padStart(2, "0");
  return `#${channel(r)}${channel(g)}${channel(b)}`.toUpperCase();
}

export function rgbToHsl({ r, g, b }: Rgb): Hsl {
  const [red, green, blue] = [r / 255, g / 255, b / 255];
  const max = Math.max(red, green, blue);
  const min = Math.min(red, green, blue);
  const l = (max + min) / 2;
  const chroma = max - min;
  if (chroma === 0) return { h: 0, s: 0, l: l * 100 };
  const s = chroma / (1 - Math.abs(2 * l - 1));
  let h: number;
  if (max === red) h = ((green - blue) / chroma) % 6;
  else if (max === green) h = (blue - red) / chroma + 2;
  else h = (red - green) / chroma + 4;
  return { h: normalizeHue(h * 60), s: s * 100, l: l * 100 };
}

export function hslToRgb({ h, s, l }: Hsl): Rgb {
  const saturation = clamp(s, 0, 100) / 100;
  const lightness = clamp(l, 0, 100) / 100;
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + normalizeHue(h) / 30) % 12;
    return (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255;
  };
  return { r: channel(0), g: channel(8), b: channel(4) };
}

export function hexToHsl(hex: string): Hsl {
  return rgbToHsl(hexToRgb(hex));
}

export function hslToHex(hsl: Hsl): string {
  return rgbToHex(hslToRgb(hsl));
}

/** CSS notation, rounded for reading: `hsl(210, 50%, 40%)`. */
export function formatHsl({ h, s, l }: Hsl): string {
  return `hsl(${Math.round(h) % 360}, ${Math.round(s)}%, ${Math.round(l)}%)`;
}

/** Moves around the color wheel: 180° gives the complement, ±30° the analogous neighbours. */
export function rotateHue(hsl: Hsl, degrees: number): Hsl {
  return { ...hsl, h: normalizeHue(hsl.h + degrees) };
}

export function complementOf(hex: string): string {
  return hslToHex(rotateHue(hexToHsl(hex), 180));
}

/** Replaces some of a color's HSL components, keeping each in range. */
export function adjust(hsl: Hsl, changes: Partial<Hsl>): Hsl {
  return {
    h: normalizeHue(changes.h ?? hsl.h),
    s: clamp(changes.s ?? hsl.s, 0, 100),
    l: clamp(changes.l ?? hsl.l, 0, 100),
  };
}

/**
 * Black, white and greys have no hue, so hue-based harmonies say nothing about them; the
 * threshold also catches near-greys whose hue is mostly rounding noise.
 */
export function isAchromatic(hex: string): boolean {
  return hexToHsl(hex).s < 8;
}

/** The named color closest to `hex`, so a hex the model made up can still get a name. */
export function nearestColorName(hex: string): ColorName {
  const target = hexToRgb(hex);
  let best: ColorName = "black";
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of COLOR_NAMES) {
    const { r, g, b } = hexToRgb(NAMED_COLORS[name]);
    const distance = (r - target.r) ** 2 + (g - target.g) ** 2 + (b - target.b) ** 2;
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** WCAG 2 relative luminance, 0 (black) to 1 (white). */
export function relativeLuminance(hex: string): number {
  const { r, g, b } = hexToRgb(hex);
  const linear = (channel: number) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio, 1 to 21, rounded to two decimals; 4.5 is the AA bar for body text. */
export function contrastRatio(foreground: string, background: string): number {
  const [lighter, darker] = [relativeLuminance(foreground), relativeLuminance(background)].sort(
    (a, b) => b - a,
  ) as [number, number];
  return Math.round(((lighter + 0.05) / (darker + 0.05)) * 100) / 100;
}

/** Black or white, whichever reads better on `background`. */
export function readableTextOn(background: string): "#000000" | "#FFFFFF" {
  return contrastRatio("#000000", background) >= contrastRatio("#FFFFFF", background)
    ? "#000000"
    : "#FFFFFF";
}

function normalizeHue(degrees: number): number {
  return ((degrees % 360) + 360) % 360;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
