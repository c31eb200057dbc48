import { describe, expect, it } from "vitest";
import { adfToText, MAX_ADF_DEPTH } from "./adf-to-text.ts";

const text = (value: string) => ({ type: "text", text: value });
const paragraph = (...content: unknown[]) => ({ type: "paragraph", content });

describe("adfToText", () => {
  it("renders paragraphs, breaks, lists, headings, quotes, code, tables and inline nodes", () => {
    const doc = {
      type: "doc",
      version: 1,
      content: [
        { type: "heading", attrs: { level: 2 }, content: [text("Steps")] },
        paragraph(text("one"), { type: "hardBreak" }, text("two")),
        {
          type: "bulletList",
          content: [
            { type: "listItem", content: [paragraph(text("a"))] },
            {
              type: "listItem",
              content: [
                paragraph(text("b")),
                {
                  type: "orderedList",
                  content: [{ type: "listItem", content: [paragraph(text("b1"))] }],
                },
              ],
            },
          ],
        },
        { type: "blockquote", content: [paragraph(text("quoted"))] },
        { type: "codeBlock", attrs: { language: "sh" }, content: [text("ls -l")] },
        paragraph(
          { type: "mention", attrs: { id: "1", text: "@Dana" } },
          text(" see "),
          { type: "inlineCard", attrs: { url: "https://x.example/a" } },
          text(" "),
          { type: "status", attrs: { text: "DONE" } },
          text(" "),
          { type: "emoji", attrs: { shortName: ":smile:", text: "😄" } },
        ),
        {
          type: "table",
          content: [
            {
              type: "tableRow",
              content: [
                { type: "tableHeader", content: [paragraph(text("k"))] },
                { type: "tableHeader", content: [paragraph(text("v"))] },
              ],
            },
            {
              type: "tableRow",
              content: [
                { type: "tableCell", content: [paragraph(text("1"))] },
                { type: "tableCell", content: [paragraph(text("2"))] },
              ],
            },
          ],
        },
        { type: "rule" },
        { type: "mediaSingle", content: [{ type: "media", attrs: { id: "x" } }] },
      ],
    };
    expect(adfToText(doc)).toBe(
      [
        "## Steps",
        "one\ntwo",
        "- a\n- b\n  1. b1",
        "> quoted",
        "```\nls -l\n```",
        "@Dana see https://x.example/a [DONE] 😄",
        "k | v\n1 | 2",
        "---",
        "[attachment]",
      ].join("\n\n"),
    );
  });

  it("survives junk and stops at the depth limit", () => {
    expect(adfToText(null)).toBe("");
    expect(
      adfToText({ type: "doc", content: [null, 3, { type: "paragraph", content: "x" }] }),
    ).toBe("");
    let deep: unknown = text("bottom");
    for (let i = 0; i < MAX_ADF_DEPTH + 5; i++) deep = { type: "blockquote", content: [deep] };
    expect(adfToText(deep)).not.toContain("bottom");
    let shallow: unknown = text("bottom");
    for (let i = 0; i < 5; i++) shallow = { type: "panel", content: [shallow] };
    expect(adfToText(shallow)).toBe("bottom");
  });
});
