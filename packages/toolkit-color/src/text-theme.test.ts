import { describe, expect, it } from "vitest";
import { contrastRatio } from "./colors.ts";
import { renderHtml, renderMarkdown, themeFor } from "./text-theme.ts";

describe("themeFor", () => {
  it("derives tint, shade and label from the base", () => {
    expect(themeFor("#0000FF")).toEqual({
      name: "blue",
      accent: "#0000FF",
      background: "#E0E0FF",
      foreground: "#00005C",
      heading: "#0000FF",
      label: "#FFFFFF",
    });
  });

  it("darkens headings that would vanish on white", () => {
    const theme = themeFor("#FFFF00");
    expect(theme.heading).not.toBe("#FFFF00");
    expect(contrastRatio(theme.heading, "#FFFFFF")).toBeGreaterThanOrEqual(3);
    expect(theme.label).toBe("#000000");
  });
});

describe("renderHtml", () => {
  const theme = themeFor("#FF0000");

  it("escapes markup in the text", () => {
    const html = renderHtml(`<script>alert("x")</script> & co`, theme, "callout");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co");
    expect(html).not.toContain("<script>");
  });

  it("styles each variant with the theme's colors", () => {
    expect(renderHtml("Hi", theme, "callout")).toContain("border-left: 4px solid #FF0000");
    expect(renderHtml("Hi", theme, "heading")).toMatch(/^<h2 style="color: #FF0000;/);
    // Pure red is light enough that black labels beat white ones on WCAG contrast.
    expect(renderHtml("Hi", theme, "badge")).toContain("background: #FF0000; color: #000000");
  });

  it("keeps line breaks in callouts and folds them elsewhere", () => {
    expect(renderHtml("a\nb", theme, "callout")).toContain("a<br>b");
    expect(renderHtml("a\n b", theme, "heading")).toContain(">a b</h2>");
  });
});

describe("renderMarkdown", () => {
  const theme = themeFor("#008000");

  it("quotes every line of a callout under a swatch", () => {
    expect(renderMarkdown("one\ntwo", theme, "callout")).toBe(
      "> 🟩 **green theme** `#008000`\n>\n> one\n> two",
    );
  });

  it("renders headings and badges on one line", () => {
    expect(renderMarkdown("Title\nhere", theme, "heading")).toBe("## 🟩 Title here");
    expect(renderMarkdown("New", theme, "badge")).toBe("🟩 **New** `#008000`");
  });
});
