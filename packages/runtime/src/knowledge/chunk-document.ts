import { parse } from "csv-parse/sync";
import type { KnowledgeChunk } from "./knowledge-chunk.ts";

/** CSV data rows per chunk: a group small enough to cite, each chunk repeats the header. */
export const CSV_ROWS_PER_CHUNK = 20;

/**
 * Markdown split at its headings (ATX `#` to `######`, outside code fences), each section
 * cited by its heading path, `Billing > Refunds`. Text before the first heading is the
 * file's `(top)`.
 */
export function chunkMarkdown(source: string, text: string, maxChars: number): KnowledgeChunk[] {
  const chunks: KnowledgeChunk[] = [];
  const path: string[] = [];
  let section = "(top)";
  let lines: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const body = lines.join("\n").trim();
    if (body !== "") chunks.push(...splitLong(source, section, body, maxChars));
    lines = [];
  };
  for (const line of text.split(/\r?\n/)) {
    const fenceMark = /^\s{0,3}(```|~~~)/.exec(line)?.[1];
    if (fenceMark && (fence === undefined || fence === fenceMark)) {
      fence = fence === undefined ? fenceMark : undefined;
    }
    const heading = fence === undefined ? /^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line) : null;
    if (heading?.[1] && heading[2]) {
      flush();
      path.length = Math.min(path.length, heading[1].length - 1);
      while (path.length < heading[1].length - 1) path.push("");
      path.push(heading[2]);
      section = path.filter((part) => part !== "").join(" > ");
    }
    lines.push(line);
  }
  flush();
  return chunks;
}

/**
 * CSV rows in groups of {@link CSV_ROWS_PER_CHUNK}, each row written `column: value; ...` so
 * a chunk reads on its own, cited by data row numbers (`rows 1-20`; the header is not a row).
 */
export function chunkCsv(source: string, text: string, maxChars: number): KnowledgeChunk[] {
  const records = parse(text, {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
  }) as string[][];
  const [header, ...rows] = records;
  if (!header) return [];
  const chunks: KnowledgeChunk[] = [];
  for (let start = 0; start < rows.length; start += CSV_ROWS_PER_CHUNK) {
    const group = rows.slice(start, start + CSV_ROWS_PER_CHUNK);
    const body = group
      .map((row) => row.map((value, i) => `${header[i] ?? `column ${i + 1}`}: ${value}`).join("; "))
      .join("\n");
    const section = `rows ${start + 1}-${start + group.length}`;
    chunks.push(...splitLong(source, section, body, maxChars));
  }
  return chunks;
}

/** Plain text in runs of paragraphs up to the chunk size, cited by line range. */
export function chunkText(source: string, text: string, maxChars: number): KnowledgeChunk[] {
  const chunks: KnowledgeChunk[] = [];
  const lines = text.split(/\r?\n/);
  let first = 0;
  let size = 0;
  const flush = (end: number) => {
    const body = lines.slice(first, end).join("\n").trim();
    if (body !== "") {
      chunks.push(...splitLong(source, `lines ${first + 1}-${end}`, body, maxChars));
    }
    first = end;
    size = 0;
  };
  lines.forEach((line, i) => {
    // Cut at a blank line once the run is half full, so paragraphs stay whole.
    if (line.trim() === "" && size >= maxChars / 2) flush(i + 1);
    else size += line.length + 1;
  });
  flush(lines.length);
  return chunks;
}

/** One chunk per PDF page (`page 3`), longer pages in parts. */
export function chunkPages(source: string, pages: readonly string[], maxChars: number) {
  return pages.flatMap((page, i) => {
    const body = page.trim();
    return body === "" ? [] : splitLong(source, `page ${i + 1}`, body, maxChars);
  });
}

/**
 * A section longer than `maxChars` as parts (`Billing (part 2)`), cut at the last paragraph,
 * line or word break that fits, so no chunk is larger than the bound.
 */
export function splitLong(
  source: string,
  section: string,
  text: string,
  maxChars: number,
): KnowledgeChunk[] {
  if (text.length <= maxChars) return [{ source, section, text }];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > maxChars) {
    const window = rest.slice(0, maxChars);
    const cut = Math.max(
      window.lastIndexOf("\n\n"),
      window.lastIndexOf("\n"),
      window.lastIndexOf(" "),
    );
    const end = cut > maxChars / 2 ? cut : maxChars;
    parts.push(rest.slice(0, end).trim());
    rest = rest.slice(end).trimStart();
  }
  if (rest.trim() !== "") parts.push(rest.trim());
  return parts.map((part, i) => ({ source, section: `${section} (part ${i + 1})`, text: part }));
}
