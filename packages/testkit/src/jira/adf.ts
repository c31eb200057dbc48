/** An Atlassian Document Format node, as Jira Cloud's v3 API sends descriptions and comments. */
export interface AdfNode {
  type: string;
  version?: number;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
  content?: AdfNode[];
}

/** The fake's plain text (blank-line paragraphs, `- ` bullet lines) as an ADF `doc`. */
export function textToAdf(text: string): AdfNode {
  const blocks: AdfNode[] = [];
  for (const chunk of text.split(/\n{2,}/)) {
    const lines = chunk.split("\n");
    const paragraph: string[] = [];
    const items: string[] = [];
    const flush = () => {
      if (paragraph.length > 0) blocks.push(paragraphNode(paragraph.splice(0)));
      if (items.length > 0) {
        blocks.push({
          type: "bulletList",
          content: items.splice(0).map((item) => ({
            type: "listItem",
            content: [paragraphNode([item])],
          })),
        });
      }
    };
    for (const line of lines) {
      if (line.startsWith("- ")) {
        if (paragraph.length > 0) flush();
        items.push(line.slice(2));
      } else {
        if (items.length > 0) flush();
        paragraph.push(line);
      }
    }
    flush();
  }
  return { type: "doc", version: 1, content: blocks };
}

// Lines of one paragraph are joined by hardBreak nodes, as Jira's editor stores them.
function paragraphNode(lines: readonly string[]): AdfNode {
  const content: AdfNode[] = [];
  lines.forEach((line, i) => {
    if (i > 0) content.push({ type: "hardBreak" });
    if (line !== "") content.push({ type: "text", text: line });
  });
  return { type: "paragraph", content };
}

/** The same text as Jira Server's wiki markup (v2): `* ` bullets. */
export function textToWiki(text: string): string {
  return text
    .split("\n")
    .map((line) => (line.startsWith("- ") ? `* ${line.slice(2)}` : line))
    .join("\n");
}
