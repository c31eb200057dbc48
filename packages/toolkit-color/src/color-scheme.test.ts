import { describe, expect, it } from "vitest";
import { designScheme, SCHEME_ROLES } from "./color-scheme.ts";
import { hexToHsl, NAMED_COLORS } from "./colors.ts";
import { MOODS } from "./purpose-mood.ts";

describe("designScheme", () => {
  it("keeps the base color as the primary of a balanced scheme", () => {
    const scheme = designScheme("#336699", "balanced");
    expect(scheme.colors.primary.hex).toBe("#336699");
    expect(scheme.colors.accent.hex).toBe("#D98026");
  });

  it("mutes the primary for calm and deepens it for professional", () => {
    const calm = hexToHsl(designScheme("#FF0000", "calm").colors.primary.hex);
    const professional = hexToHsl(designScheme("#FF0000", "professional").colors.primary.hex);
    expect(calm.s).toBeLessThan(100);
    expect(Math.round(calm.h)).toBe(0);
    expect(professional.l).toBeLessThan(50);
  });

  it("gives the same scheme for the same input", () => {
    expect(designScheme("#008000", "playful")).toEqual(designScheme("#008000", "playful"));
  });

  it("produces readable text on the background for every named color and mood", () => {
    for (const hex of Object.values(NAMED_COLORS)) {
      for (const mood of MOODS) {
        const scheme = designScheme(hex, mood);
        for (const role of SCHEME_ROLES) {
          expect(scheme.colors[role].hex).toMatch(/^#[0-9A-F]{6}$/);
          expect(scheme.colors[role].rationale).not.toBe("");
        }
        expect(scheme.contrast.textOnBackground).toBeGreaterThanOrEqual(4.5);
        expect(scheme.contrast.textMeetsWcagAA).toBe(true);
      }
    }
  });

  it("keeps a grey base grey and borrows the mood's accent hue", () => {
    const scheme = designScheme("#000000", "energetic");
    for (const role of ["primary", "secondary", "background", "text"] as const) {
      expect(hexToHsl(scheme.colors[role].hex).s).toBe(0);
    }
    expect(Math.round(hexToHsl(scheme.colors.accent.hex).h)).toBe(25);
    expect(scheme.colors.accent.rationale).toMatch(/orange/);
  });
});
