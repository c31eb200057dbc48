/**
 * Atlassian Document Format (Jira Cloud's v3 descriptions and comments) as plain text a model
 * reads well: paragraphs, `- ` bullets, `1. ` numbers, `> ` quotes, fenced code, tables as
 * `a | b` rows, mentions and links by their text. Unknown nodes keep their text content.
 */

/** Nesting followed; deeper content is left out (ADF from the API is rarely past 10). */
export const MAX_ADF_DEPTH = 40;

interface AdfNode {
  type?: unknown;
  text?: unknown;
  attrs?: Record<string, unknown>;
  content?: unknown;
}

export function adfToText(doc: unknown): string {
  return block(doc, 0)
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function children(node: AdfNode): AdfNode[] {
  return Array.isArray(node.content)
    ? node.content.filter((c): c is AdfNode => c !== null && typeof c === "object")
    : [];
}

function block(value: unknown, depth: number): string {
  if (value === null || typeof value !== "object" || depth > MAX_ADF_DEPTH) return "";
  const node = value as AdfNode;
  const kids = children(node);
  const blocks = (separator = "\n\n") => kids.map((kid) => block(kid, depth + 1)).join(separator);
  switch (node.type) {
    case "doc":
    case "panel":
    case "layoutSection":
    case "layoutColumn":
    case "expand":
    case "nestedExpand":
      return blocks();
    case "paragraph":
      return inline(kids, depth);
    case "heading":
      return `${"#".repeat(clampLevel(node.attrs?.level))} ${inline(kids, depth)}`;
    case "bulletList":
      return kids.map((kid) => indentItem("- ", block(kid, depth + 1))).join("\n");
    case "orderedList":
      return kids.map((kid, i) => indentItem(`${i + 1}. `, block(kid, depth + 1))).join("\n");
    case "listItem":
      return blocks("\n");
    case "blockquote":
      return blocks()
        .split("\n")
        .map((line) => `> ${line}`)
        .join("\n");
    case "codeBlock":
      return `\`\`\`\n${inline(kids, depth)}\n\`\`\``;
    case "rule":
      return "---";
    case "table":
      return kids.map((row) => block(row, depth + 1)).join("\n");
    case "tableRow":
      return kids.map((cell) => block(cell, depth + 1).replace(/\n+/g, " ")).join(" | ");
    case "tableCell":
    case "tableHeader":
      return blocks(" ");
    case "mediaSingle":
    case "mediaGroup":
      return "[attachment]";
    default:
      return kids.length > 0 ? blocks() : inline([node], depth);
  }
}

function inline(nodes: readonly AdfNode[], depth: number): string {
  return nodes
    .map((node) => {
      const attrs = node.attrs ?? {};
      switch (node.type) {
        case "text":
          return typeof node.text === "string" ? node.text : "";
        case "hardBreak":
          return "\n";
        case "mention":
          return str(attrs.text) || "@someone";
        case "emoji":
          return str(attrs.text) || str(attrs.shortName);
        case "inlineCard":
        case "blockCard":
          return str(attrs.url);
        case "status":
          return `[${str(attrs.text)}]`;
        case "date":
          return dateText(attrs.timestamp);
        default:
          return block(node, depth + 1);
      }
    })
    .join("");
}

function indentItem(marker: string, text: string): string {
  const [first = "", ...rest] = text.split("\n");
  return [`${marker}${first}`, ...rest.map((line) => `  ${line}`)].join("\n");
}

function clampLevel(level: unknown): number {
  return typeof level === "number" && level >= 1 && level <= 6 ? level : 1;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function dateText(timestamp: unknown): string {
  const ms = Number(timestamp);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : "";
}
