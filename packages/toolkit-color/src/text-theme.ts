import {
  adjust,
  type ColorName,
  contrastRatio,
  hexToHsl,
  hslToHex,
  nearestColorName,
  readableTextOn,
} from "./colors.ts";

export const TEXT_STYLES = ["callout", "heading", "badge"] as const;

export type TextStyle = (typeof TEXT_STYLES)[number];

/** The colors a piece of themed text is drawn with. */
export interface TextTheme {
  /** The named color closest to the base, for the markdown swatch and for the model to mention. */
  readonly name: ColorName;
  /** The base color itself: borders, underlines, badge fill. */
  readonly accent: string;
  /** A pale tint of the base, behind callouts. */
  readonly background: string;
  /** A dark shade of the base for body text on the tint. */
  readonly foreground: string;
  /** The base when it reads on white, else a darker shade: headings on a page. */
  readonly heading: string;
  /** Black or white, whichever reads on the accent: badge labels. */
  readonly label: string;
}

/** Plain markdown has no colors, so each theme gets the closest colored square as a swatch. */
const SWATCHES: Readonly<Record<ColorName, string>> = {
  red: "🟥",
  blue: "🟦",
  green: "🟩",
  yellow: "🟨",
  purple: "🟪",
  orange: "🟧",
  pink: "🩷",
  black: "⬛",
  white: "⬜",
  brown: "🟫",
};

export function themeFor(baseHex: string): TextTheme {
  const base = hexToHsl(baseHex);
  // 3:1 is WCAG's bar for large text, which is what a heading is.
  const heading =
    contrastRatio(baseHex, "#FFFFFF") >= 3 ? baseHex : hslToHex(adjust(base, { l: 30 }));
  return {
    name: nearestColorName(baseHex),
    accent: baseHex,
    background: hslToHex(adjust(base, { l: 94 })),
    foreground: hslToHex(adjust(base, { l: 18 })),
    heading,
    label: readableTextOn(baseHex),
  };
}

export function renderHtml(text: string, theme: TextTheme, style: TextStyle): string {
  const body = escapeHtml(text);
  switch (style) {
    case "callout":
      return `<div style="border-left: 4px solid ${theme.accent}; background: ${theme.background}; color: ${theme.foreground}; padding: 12px 16px; border-radius: 4px;">${body.replaceAll("\n", "<br>")}</div>`;
    case "heading":
      return `<h2 style="color: ${theme.heading}; border-bottom: 3px solid ${theme.accent}; padding-bottom: 4px;">${oneLine(body)}</h2>`;
    case "badge":
      return `<span style="background: ${theme.accent}; color: ${theme.label}; padding: 2px 10px; border-radius: 999px; font-weight: 600;">${oneLine(body)}</span>`;
  }
}

export function renderMarkdown(text: string, theme: TextTheme, style: TextStyle): string {
  const swatch = SWATCHES[theme.name];
  switch (style) {
    case "callout": {
      const quoted = text
        .split("\n")
        .map((line) => `> ${line}`.trimEnd())
        .join("\n");
      return `> ${swatch} **${theme.name} theme** \`${theme.accent}\`\n>\n${quoted}`;
    }
    case "heading":
      return `## ${swatch} ${oneLine(text)}`;
    case "badge":
      return `${swatch} **${oneLine(text)}** \`${theme.accent}\``;
  }
}

// The text comes from the model (often quoting the user) and may land in a page that renders
// HTML, so markup in it must show as text, not run.
function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
