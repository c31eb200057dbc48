import {
  adjust,
  contrastRatio,
  formatHsl,
  type Hsl,
  hexToHsl,
  hslToHex,
  isAchromatic,
  readableTextOn,
  rotateHue,
} from "./colors.ts";
import type { Mood } from "./purpose-mood.ts";

export const SCHEME_ROLES = ["primary", "secondary", "accent", "background", "text"] as const;

export type SchemeRole = (typeof SCHEME_ROLES)[number];

export interface SchemeColor {
  readonly hex: string;
  readonly hsl: string;
  /** Why this color has this role, in one sentence the model can pass on. */
  readonly rationale: string;
}

export interface ColorScheme {
  readonly colors: Readonly<Record<SchemeRole, SchemeColor>>;
  readonly contrast: {
    readonly textOnBackground: number;
    readonly primaryOnBackground: number;
    /** WCAG AA for body text: a ratio of at least 4.5. */
    readonly textMeetsWcagAA: boolean;
    /** Black or white, whichever reads better on the primary color (button labels). */
    readonly labelOnPrimary: string;
  };
  /** What the mood does with color, in one sentence. */
  readonly approach: string;
}

/** A color relative to the base: its hue turned by `hueOffset`, at this saturation and lightness. */
interface Tone {
  readonly hueOffset: number;
  readonly s: number;
  readonly l: number;
}

interface MoodRecipe {
  readonly approach: string;
  /** Where the primary is pulled from the base; undefined keeps the base as it is. */
  readonly primaryTarget: { readonly s: number; readonly l: number } | undefined;
  readonly secondary: Tone;
  readonly accent: Tone;
  readonly background: Tone;
  readonly text: Tone;
  /** The hue an achromatic base (black, white, grey) borrows for its accent, and its name. */
  readonly fallbackAccent: { readonly hue: number; readonly name: string };
  readonly rationale: Readonly<Record<SchemeRole, string>>;
}

/**
 * How far the primary moves from the base toward the mood's target: far enough to carry the
 * mood, near enough that the user still recognises their color.
 */
const PRIMARY_PULL = 0.6;

const RECIPES: Readonly<Record<Mood, MoodRecipe>> = {
  calm: {
    approach: "Calm: low saturation, light values and close hues keep visual tension low.",
    primaryTarget: { s: 40, l: 55 },
    secondary: { hueOffset: 30, s: 35, l: 65 },
    accent: { hueOffset: 180, s: 40, l: 60 },
    background: { hueOffset: 0, s: 30, l: 96 },
    text: { hueOffset: 0, s: 20, l: 20 },
    fallbackAccent: { hue: 175, name: "teal" },
    rationale: {
      primary: "The base hue with its saturation eased off, so it soothes instead of shouting.",
      secondary: "A soft analogous neighbour (+30°): variety that never clashes.",
      accent: "A muted complement: enough contrast to find the buttons, not enough to jolt.",
      background: "An airy near-white tinted with the base hue, which feels open and quiet.",
      text: "A soft dark tone of the same hue: readable without the hardness of pure black.",
    },
  },
  energetic: {
    approach: "Energetic: saturated hues spread around the wheel create movement and excitement.",
    primaryTarget: { s: 90, l: 50 },
    secondary: { hueOffset: 120, s: 85, l: 50 },
    accent: { hueOffset: 180, s: 95, l: 55 },
    background: { hueOffset: 0, s: 25, l: 98 },
    text: { hueOffset: 0, s: 30, l: 12 },
    fallbackAccent: { hue: 25, name: "orange" },
    rationale: {
      primary: "The base hue pushed to full strength: the color of the brand's energy.",
      secondary: "A triadic partner (+120°) at the same intensity, for lively contrast.",
      accent: "The vivid complement, reserved for calls to action so they pop.",
      background: "A clean, bright near-white that lets the strong colors carry the mood.",
      text: "A deep, slightly tinted near-black for crisp legibility next to bold color.",
    },
  },
  professional: {
    approach: "Professional: deep, restrained colors and quiet neutrals signal trust and focus.",
    primaryTarget: { s: 45, l: 35 },
    secondary: { hueOffset: 0, s: 12, l: 45 },
    accent: { hueOffset: 180, s: 60, l: 45 },
    background: { hueOffset: 0, s: 10, l: 98 },
    text: { hueOffset: 0, s: 15, l: 15 },
    fallbackAccent: { hue: 212, name: "blue" },
    rationale: {
      primary: "A deeper, more restrained version of the base: confident rather than loud.",
      secondary: "A slate neutral of the same hue for borders, tables and secondary UI.",
      accent: "A measured complement for highlights and key actions.",
      background: "Almost white with a trace of the base hue: clean and unobtrusive.",
      text: "A dark neutral that keeps long reading comfortable.",
    },
  },
  playful: {
    approach: "Playful: bright, light, evenly spaced hues feel cheerful and approachable.",
    primaryTarget: { s: 85, l: 60 },
    secondary: { hueOffset: 120, s: 80, l: 65 },
    accent: { hueOffset: 240, s: 85, l: 55 },
    background: { hueOffset: 0, s: 70, l: 96 },
    text: { hueOffset: 0, s: 40, l: 20 },
    fallbackAccent: { hue: 330, name: "pink" },
    rationale: {
      primary: "The base hue made bright and candy-like, to feel friendly.",
      secondary: "A triadic partner (+120°), light and cheerful.",
      accent: "The third triadic hue (+240°) completes a balanced, toy-box set.",
      background: "A pastel wash of the base hue that keeps the whole page warm.",
      text: "A dark tone of the base hue: friendlier than black and still easy to read.",
    },
  },
  elegant: {
    approach: "Elegant: deep tones, soft neutrals and a single refined accent feel premium.",
    primaryTarget: { s: 35, l: 25 },
    secondary: { hueOffset: 0, s: 15, l: 85 },
    accent: { hueOffset: 150, s: 45, l: 55 },
    background: { hueOffset: 0, s: 10, l: 97 },
    text: { hueOffset: 0, s: 20, l: 10 },
    fallbackAccent: { hue: 45, name: "gold" },
    rationale: {
      primary: "A deep, desaturated version of the base: rich without being flashy.",
      secondary: "A pale neutral of the same hue for panels and dividers.",
      accent: "A split-complement (+150°) used sparingly, like a single piece of jewellery.",
      background: "A soft ivory-like near-white tinted with the base hue.",
      text: "A near-black with a hint of the base hue, for a refined finish.",
    },
  },
  balanced: {
    approach: "Balanced: no mood stood out, so the base color leads with a classic harmony.",
    primaryTarget: undefined,
    secondary: { hueOffset: 30, s: 55, l: 55 },
    accent: { hueOffset: 180, s: 70, l: 50 },
    background: { hueOffset: 0, s: 15, l: 97 },
    text: { hueOffset: 0, s: 15, l: 15 },
    fallbackAccent: { hue: 210, name: "blue" },
    rationale: {
      primary: "The base color itself, unchanged.",
      secondary: "An analogous neighbour (+30°) that supports the primary.",
      accent: "The complement, for contrast where attention is needed.",
      background: "A near-white tinted with the base hue.",
      text: "A dark neutral of the base hue for readable body text.",
    },
  },
};

/** A five-role scheme derived from `baseHex` for `mood`. Same inputs, same scheme. */
export function designScheme(baseHex: string, mood: Mood): ColorScheme {
  const recipe = RECIPES[mood];
  const base = hexToHsl(baseHex);
  // Greys have no hue: their hue angle is an artefact, and saturating it would turn black red.
  const neutral = isAchromatic(baseHex);
  const tone = (t: Tone): Hsl =>
    neutral
      ? adjust(base, { h: 0, s: 0, l: t.l })
      : adjust(rotateHue(base, t.hueOffset), { s: t.s, l: t.l });

  const primary = pullPrimary(base, recipe.primaryTarget, neutral);
  const accent = neutral
    ? adjust(base, { h: recipe.fallbackAccent.hue, s: recipe.accent.s, l: recipe.accent.l })
    : tone(recipe.accent);
  const rationale = neutral
    ? { ...recipe.rationale, ...neutralRationale(recipe) }
    : recipe.rationale;

  const colors = {
    primary: schemeColor(primary, rationale.primary),
    secondary: schemeColor(tone(recipe.secondary), rationale.secondary),
    accent: schemeColor(accent, rationale.accent),
    background: schemeColor(tone(recipe.background), rationale.background),
    text: schemeColor(tone(recipe.text), rationale.text),
  };
  const textOnBackground = contrastRatio(colors.text.hex, colors.background.hex);
  return {
    colors,
    contrast: {
      textOnBackground,
      primaryOnBackground: contrastRatio(colors.primary.hex, colors.background.hex),
      textMeetsWcagAA: textOnBackground >= 4.5,
      labelOnPrimary: readableTextOn(colors.primary.hex),
    },
    approach: recipe.approach,
  };
}

/** The recipe's hue-based reasons do not hold for a grey base, so those roles say what happened instead. */
function neutralRationale(
  recipe: MoodRecipe,
): Pick<Record<SchemeRole, string>, "primary" | "secondary" | "accent"> {
  return {
    primary:
      "The base is a neutral, so the primary stays neutral at the lightness this mood calls for.",
    secondary:
      "A neutral has no color-wheel partners, so the secondary is a lighter or darker neutral.",
    accent: `The base has no hue, so the accent borrows ${recipe.fallbackAccent.name}, a hue that suits this mood.`,
  };
}

function pullPrimary(base: Hsl, target: MoodRecipe["primaryTarget"], neutral: boolean): Hsl {
  if (target === undefined) return base;
  return adjust(base, {
    s: neutral ? 0 : base.s + (target.s - base.s) * PRIMARY_PULL,
    l: base.l + (target.l - base.l) * PRIMARY_PULL,
  });
}

function schemeColor(hsl: Hsl, rationale: string): SchemeColor {
  const hex = hslToHex(hsl);
  return { hex, hsl: formatHsl(hexToHsl(hex)), rationale };
}
