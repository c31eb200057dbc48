import { describe, expect, it } from "vitest";
import { FAVORITE_COLOR_KEY } from "../favorite-color.ts";
import { fakeToolContext, inMemorySettings } from "../testing/fake-tool-context.ts";
import { designColorSchemeForPurpose } from "./design-color-scheme.ts";

const favoriteBlue = () =>
  fakeToolContext({ settings: inMemorySettings({ [FAVORITE_COLOR_KEY]: "blue" }) });

describe("design_color_scheme_for_purpose", () => {
  it("designs a calm scheme from the favorite color", async () => {
    const result = await designColorSchemeForPurpose.execute(
      { purpose: "calming meditation app" },
      favoriteBlue(),
    );
    expect(result).toMatchObject({
      purpose: "calming meditation app",
      mood: "calm",
      matchedKeywords: ["calming", "meditation"],
      baseColor: { hex: "#0000FF", name: "blue", source: "favorite" },
    });
    expect(Object.keys(result.scheme)).toEqual([
      "primary",
      "secondary",
      "accent",
      "background",
      "text",
    ]);
    expect(result.scheme.primary).toEqual({
      hex: "#3A3AD4",
      hsl: "hsl(240, 64%, 53%)",
      rationale: expect.stringMatching(/saturation/),
    });
    expect(result.contrast.textMeetsWcagAA).toBe(true);
  });

  it("varies with the purpose and is stable for the same one", async () => {
    const run = (purpose: string) =>
      designColorSchemeForPurpose.execute({ purpose }, favoriteBlue());
    const calm = await run("calming meditation app");
    const energetic = await run("energetic fitness tracker");
    expect(energetic.mood).toBe("energetic");
    expect(energetic.scheme.primary.hex).not.toBe(calm.scheme.primary.hex);
    expect(await run("calming meditation app")).toEqual(calm);
  });

  it("uses a given color over the favorite", async () => {
    const result = await designColorSchemeForPurpose.execute(
      { purpose: "law firm website", color: "green" },
      favoriteBlue(),
    );
    expect(result.baseColor).toEqual({ hex: "#008000", name: "green", source: "argument" });
    expect(result.mood).toBe("professional");
  });

  it("asks for the favorite color when none is set", async () => {
    await expect(
      designColorSchemeForPurpose.execute({ purpose: "a bakery" }, fakeToolContext()),
    ).rejects.toThrow(/set_favorite_color/);
  });

  it("rejects a missing or too short purpose", () => {
    const parse = (args: unknown) => designColorSchemeForPurpose.parameters.safeParse(args).success;
    expect(parse({})).toBe(false);
    expect(parse({ purpose: "ab" })).toBe(false);
    expect(parse({ purpose: "a bakery" })).toBe(true);
  });
});
