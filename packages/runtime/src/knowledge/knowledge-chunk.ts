/** One searchable piece of a knowledge file, with where it came from. */
export interface KnowledgeChunk {
  /** The file, relative to the knowledge folder, with `/` separators: `recipes/soup.md`. */
  readonly source: string;
  /**
   * Where in the file: a Markdown heading path (`Billing > Refunds`), a CSV row range
   * (`rows 21-40`), a PDF page (`page 3`), or a text line range (`lines 1-30`).
   */
  readonly section: string;
  readonly text: string;
}
