import path from "node:path";
import { chunkCsv, chunkMarkdown, chunkPages, chunkText } from "./chunk-document.ts";
import type { KnowledgeChunk } from "./knowledge-chunk.ts";

/** A file's bytes as chunks, by its kind. Throws on a file its parser cannot read. */
export async function chunkFile(
  source: string,
  bytes: Uint8Array,
  maxChars: number,
): Promise<KnowledgeChunk[]> {
  const extension = path.extname(source).toLowerCase();
  if (extension === ".pdf") {
    // unpdf: pdf.js's text layer in a serverless build, no native parts, no canvas. Loaded
    // on the first PDF, so a runtime whose agents ship none never holds pdf.js.
    const { extractText } = await import("unpdf");
    const { text } = await extractText(new Uint8Array(bytes), { mergePages: false });
    return chunkPages(source, text, maxChars);
  }
  const text = new TextDecoder("utf-8").decode(bytes);
  if (extension === ".csv") return chunkCsv(source, text, maxChars);
  if (extension === ".md" || extension === ".markdown") {
    return chunkMarkdown(source, text, maxChars);
  }
  return chunkText(source, text, maxChars);
}
