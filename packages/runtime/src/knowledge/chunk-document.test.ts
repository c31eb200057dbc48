import { describe, expect, it } from "vitest";
import {
  CSV_ROWS_PER_CHUNK,
  chunkCsv,
  chunkMarkdown,
  chunkText,
  splitLong,
} from "./chunk-document.ts";

describe("chunkMarkdown", () => {
  it("cites each section by its heading path, ignoring # inside code fences", () => {
    const text = [
      "Intro line.",
      "# Billing",
      "About billing.",
      "## Refunds",
      "Within 30 days.",
      "```sh",
      "# not a heading",
      "```",
      "### Partial refunds",
      "Pro rata.",
      "## Invoices",
      "Monthly.",
      "# Support",
      "Mail us.",
    ].join("\n");
    expect(chunkMarkdown("faq.md", text, 1000).map((c) => c.section)).toEqual([
      "(top)",
      "Billing",
      "Billing > Refunds",
      "Billing > Refunds > Partial refunds",
      "Billing > Invoices",
      "Support",
    ]);
    const refunds = chunkMarkdown("faq.md", text, 1000)[2];
    expect(refunds?.text).toContain("# not a heading");
  });

  it("keeps a heading path when levels are skipped", () => {
    const chunks = chunkMarkdown("a.md", "# A\nx\n### C\ny", 100);
    expect(chunks.map((c) => c.section)).toEqual(["A", "A > C"]);
  });
});

describe("chunkCsv", () => {
  it("groups rows with the header's names, cited by data row range", () => {
    const rows = Array.from(
      { length: CSV_ROWS_PER_CHUNK + 1 },
      (_, i) => `sku-${i + 1},"Soup, ${i}"`,
    );
    const chunks = chunkCsv("items.csv", ["sku,name", ...rows].join("\n"), 10_000);
    expect(chunks.map((c) => c.section)).toEqual([
      `rows 1-${CSV_ROWS_PER_CHUNK}`,
      `rows ${CSV_ROWS_PER_CHUNK + 1}-${CSV_ROWS_PER_CHUNK + 1}`,
    ]);
    expect(chunks[0]?.text.split("\n")[0]).toBe("sku: sku-1; name: Soup, 0");
  });

  it("gives nothing for an empty file", () => {
    expect(chunkCsv("e.csv", "", 100)).toEqual([]);
  });
});

describe("chunkText", () => {
  it("cuts at blank lines once half full, cited by line range", () => {
    const text = ["a".repeat(30), "b".repeat(30), "", "c".repeat(10)].join("\n");
    expect(chunkText("t.txt", text, 100).map((c) => c.section)).toEqual(["lines 1-3", "lines 4-4"]);
  });
});

describe("splitLong", () => {
  it("keeps a section of exactly the limit whole and splits one character more", () => {
    expect(splitLong("s", "S", "x".repeat(50), 50)).toEqual([
      { source: "s", section: "S", text: "x".repeat(50) },
    ]);
    const parts = splitLong("s", "S", "x".repeat(51), 50);
    expect(parts.map((p) => p.section)).toEqual(["S (part 1)", "S (part 2)"]);
    expect(parts.every((p) => p.text.length <= 50)).toBe(true);
  });

  it("prefers a word break", () => {
    const parts = splitLong("s", "S", `${"word ".repeat(15)}end`, 40);
    expect(parts.every((p) => p.text.length <= 40 && !p.text.startsWith("ord"))).toBe(true);
    expect(parts.map((p) => p.text).join(" ")).toBe(`${"word ".repeat(15)}end`);
  });
});
