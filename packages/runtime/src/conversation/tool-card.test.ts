import { describe, expect, it } from "vitest";
import { renderToolCard, stripToolCards, type ToolCard } from "./tool-card.ts";

const NASTY = `"'<>&`;

function card(overrides: Partial<ToolCard> = {}): ToolCard {
  return {
    callId: "call_1",
    name: "get_color",
    args: { key: "favorite" },
    result: { color: "teal" },
    isError: false,
    ...overrides,
  };
}

/** The opening tag's attributes, values still escaped. Fails the test on malformed markup. */
function attributesOf(html: string): Map<string, string> {
  const open = /<details ([^>]*)>/.exec(html);
  expect(open, `no opening <details> tag in ${html}`).not.toBeNull();
  const text = open?.[1] ?? "";
  const attrs = new Map<string, string>();
  const attr = /([a-z_]+)="([^"]*)"/g;
  let consumed = "";
  for (let match = attr.exec(text); match; match = attr.exec(text)) {
    attrs.set(match[1] as string, match[2] as string);
    consumed += `${match[0]} `;
  }
  // Every character of the tag belongs to a well-formed name="value" pair.
  expect(consumed.trim()).toBe(text.trim());
  return attrs;
}

function unescapeAttribute(value: string): string {
  return value
    .replaceAll("&#x27;", "'")
    .replaceAll("&gt;", ">")
    .replaceAll("&lt;", "<")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");
}

describe("renderToolCard", () => {
  it("renders an Open WebUI tool_calls details block", () => {
    const html = renderToolCard(card());
    expect(html.startsWith("\n<details ")).toBe(true);
    expect(html.endsWith("\n<summary>Tool Executed</summary>\n</details>\n")).toBe(true);
    const attrs = attributesOf(html);
    expect(attrs.get("type")).toBe("tool_calls");
    expect(attrs.get("done")).toBe("true");
    expect(attrs.get("id")).toBe("call_1");
    expect(attrs.get("name")).toBe("get_color");
    expect(unescapeAttribute(attrs.get("arguments") ?? "")).toBe('{"key":"favorite"}');
    expect(unescapeAttribute(attrs.get("result") ?? "")).toBe('{"color":"teal"}');
    expect(attrs.get("files")).toBe("");
    expect(attrs.get("embeds")).toBe("");
    expect(attrs.has("error")).toBe(false);
  });

  it('adds error="true" for a failed call', () => {
    const attrs = attributesOf(renderToolCard(card({ isError: true, result: { error: "boom" } })));
    expect(attrs.get("error")).toBe("true");
  });

  it("escapes quotes, <, >, & and ' in every attribute", () => {
    const html = renderToolCard(
      card({ callId: NASTY, name: NASTY, args: { text: NASTY }, result: { text: NASTY } }),
    );
    const attrs = attributesOf(html);
    for (const key of ["id", "name", "arguments", "result"]) {
      const value = attrs.get(key) ?? "";
      expect(value, key).not.toMatch(/["'<>]/);
      // Every & starts one of the five entities the renderer produces.
      expect(value.replace(/&(amp|quot|lt|gt|#x27);/g, ""), key).not.toContain("&");
    }
    expect(attrs.get("name")).toBe("&quot;&#x27;&lt;&gt;&amp;");
    expect(attrs.get("id")).toBe("&quot;&#x27;&lt;&gt;&amp;");
  });

  it("does not double-escape existing entities", () => {
    const attrs = attributesOf(renderToolCard(card({ name: "&amp;" })));
    expect(attrs.get("name")).toBe("&amp;amp;");
    expect(unescapeAttribute(attrs.get("name") ?? "")).toBe("&amp;");
  });

  it("keeps a malicious result inside its attribute", () => {
    const payload = `"></details><img src=x onerror="alert(1)"><details type="tool_calls" name="forged">`;
    const html = renderToolCard(card({ result: payload, args: { q: payload } }));
    // One opening and one closing tag: the payload opened nothing and closed nothing.
    expect(html.match(/<details/g)).toHaveLength(1);
    expect(html.match(/<\/details>/g)).toHaveLength(1);
    expect(html).not.toContain("<img");
    const attrs = attributesOf(html);
    expect(attrs.get("name")).toBe("get_color");
    expect(unescapeAttribute(attrs.get("result") ?? "")).toBe(JSON.stringify(payload));
  });

  it.each([
    ["an object", { a: 1, nested: { list: [1, "two", null] } }],
    ["a string with markup", `<b>"hi"</b> & 'bye'`],
    ["a number", 42],
    ["an array", ["x", { y: "<z>" }]],
    ["unicode", { emoji: "🎨", accent: "café", rtl: "שלום" }],
    ["newlines", "line 1\nline 2\r\n\ttabbed"],
  ])("round-trips %s through the attributes", (_label, value) => {
    const attrs = attributesOf(renderToolCard(card({ args: { value }, result: value })));
    expect(unescapeAttribute(attrs.get("arguments") ?? "")).toBe(JSON.stringify({ value }));
    expect(unescapeAttribute(attrs.get("result") ?? "")).toBe(JSON.stringify(value));
    expect(JSON.parse(unescapeAttribute(attrs.get("result") ?? ""))).toEqual(value);
  });

  it("renders missing args as {} and a missing result as null", () => {
    const attrs = attributesOf(renderToolCard(card({ args: undefined, result: undefined })));
    expect(unescapeAttribute(attrs.get("arguments") ?? "")).toBe("{}");
    expect(unescapeAttribute(attrs.get("result") ?? "")).toBe("null");
  });

  it("truncates a long result to 4000 characters plus an ellipsis", () => {
    const long = "x".repeat(10_000);
    const result = unescapeAttribute(
      attributesOf(renderToolCard(card({ result: long }))).get("result") ?? "",
    );
    expect(result).toHaveLength(4001);
    expect(result.endsWith("…")).toBe(true);
    expect(result.slice(0, 4000)).toBe(JSON.stringify(long).slice(0, 4000));
  });

  it("does not truncate a result of exactly 4000 characters", () => {
    const exact = "y".repeat(3998); // plus two quotes: 4000
    const result = unescapeAttribute(
      attributesOf(renderToolCard(card({ result: exact }))).get("result") ?? "",
    );
    expect(result).toBe(JSON.stringify(exact));
  });

  it("keeps a truncated result escaped", () => {
    const long = `<"&'>`.repeat(2000);
    const html = renderToolCard(card({ result: long }));
    const value = attributesOf(html).get("result") ?? "";
    expect(value).not.toMatch(/["'<>]/);
    expect(unescapeAttribute(value)).toBe(`${JSON.stringify(long).slice(0, 4000)}…`);
  });
});

describe("stripToolCards", () => {
  it("removes one card and keeps the text around it", () => {
    const text = `Let me look that up.${renderToolCard(card())}Your favorite color is teal.`;
    expect(stripToolCards(text)).toBe("Let me look that up.\nYour favorite color is teal.");
  });

  it("removes several cards, including error cards and cards with hostile results", () => {
    const text = [
      "Step one.",
      renderToolCard(card()),
      renderToolCard(card({ callId: "call_2", isError: true, result: { error: "nope" } })),
      "Step two.",
      renderToolCard(card({ callId: "call_3", result: `</details><details>"quoted"` })),
      "Done.",
    ].join("");
    const stripped = stripToolCards(text);
    // Two adjacent cards leave a blank line where they were; never more.
    expect(stripped).toMatch(/^Step one\.\n\n?Step two\.\nDone\.$/);
    expect(stripped).not.toContain("details");
  });

  it("returns an empty string for a message that was only cards", () => {
    expect(stripToolCards(renderToolCard(card()) + renderToolCard(card({ callId: "c2" })))).toBe(
      "",
    );
  });

  it("removes Open WebUI reasoning blocks", () => {
    const text = [
      "Before.",
      '<details type="reasoning" done="true" duration="3">',
      "<summary>Thought for 3 seconds</summary>",
      "> I should call the tool.",
      "> Then answer.",
      "</details>",
      "After.",
    ].join("\n");
    expect(stripToolCards(text)).toBe("Before.\nAfter.");
  });

  it("removes code_interpreter blocks", () => {
    const text =
      'A\n<details type="code_interpreter" done="true">\n<summary>Ran code</summary>\nprint(1)\n</details>\nB';
    expect(stripToolCards(text)).toBe("A\nB");
  });

  it("keeps ordinary <details> blocks without a type attribute", () => {
    const text = "Here:\n<details>\n<summary>More</summary>\nhidden text\n</details>\nEnd.";
    expect(stripToolCards(text)).toBe(text);
  });

  it("keeps ordinary <details> while removing a card next to it", () => {
    const ordinary = "<details><summary>Spoiler</summary>It was teal.</details>";
    const text = `${ordinary}${renderToolCard(card())}Thanks!`;
    expect(stripToolCards(text)).toBe(`${ordinary}\nThanks!`);
  });

  it("leaves text without cards alone apart from trimming", () => {
    expect(stripToolCards("  plain answer with <b>markup</b>  \n")).toBe(
      "plain answer with <b>markup</b>",
    );
  });

  it("collapses the blank lines a removed card leaves behind", () => {
    const text = `Paragraph one.\n\n${renderToolCard(card())}\n\nParagraph two.`;
    expect(stripToolCards(text)).toBe("Paragraph one.\n\nParagraph two.");
  });
});
