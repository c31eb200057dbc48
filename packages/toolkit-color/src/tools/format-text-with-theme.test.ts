import { describe, expect, it } from "vitest";
import { FAVORITE_COLOR_KEY } from "../favorite-color.ts";
import { fakeToolContext, inMemorySettings } from "../testing/fake-tool-context.ts";
import { formatTextWithTheme } from "./format-text-with-theme.ts";

describe("format_text_with_theme", () => {
  const ctx = () =>
    fakeToolContext({ settings: inMemorySettings({ [FAVORITE_COLOR_KEY]: "green" }) });

  it("renders a callout in the favorite color by default", async () => {
    const result = await formatTextWithTheme.execute({ text: "Welcome!" }, ctx());
    expect(result.style).toBe("callout");
    expect(result.baseColor).toEqual({ hex: "#008000", name: "green", source: "favorite" });
    expect(result.theme.accent).toBe("#008000");
    expect(result.markdown).toBe("> 🟩 **green theme** `#008000`\n>\n> Welcome!");
    expect(result.html).toContain("border-left: 4px solid #008000");
    expect(result.html).toContain(">Welcome!</div>");
  });

  it("uses the requested style and color", async () => {
    const result = await formatTextWithTheme.execute(
      { text: "Sale", style: "badge", color: "pink" },
      ctx(),
    );
    expect(result.markdown).toBe("🩷 **Sale** `#FFC0CB`");
    expect(result.html).toContain("background: #FFC0CB; color: #000000");
  });

  it("asks for the favorite color when none is set", async () => {
    await expect(formatTextWithTheme.execute({ text: "Hi" }, fakeToolContext())).rejects.toThrow(
      /favorite color/,
    );
  });

  it("rejects empty text and unknown styles", () => {
    const parse = (args: unknown) => formatTextWithTheme.parameters.safeParse(args).success;
    expect(parse({ text: "" })).toBe(false);
    expect(parse({ text: "x".repeat(2001) })).toBe(false);
    expect(parse({ text: "Hi", style: "banner" })).toBe(false);
    expect(parse({ text: "Hi", style: "heading", color: "red" })).toBe(true);
  });
});
