import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../logger.ts";
import type { KnowledgeLimits } from "./knowledge-limits.ts";

/** The kinds of file a knowledge folder may hold, by extension. */
export const KNOWLEDGE_EXTENSIONS = new Set([".md", ".markdown", ".txt", ".csv", ".pdf"]);

export interface KnowledgeFile {
  /** Relative to the folder, `/`-separated: what results cite. */
  readonly source: string;
  readonly file: string;
  /** Size and modification time: a cheap "changed?" before the content hash. */
  readonly stamp: string;
}

/**
 * The folder's indexable files, sorted by path: dot files and folders skipped, other kinds
 * skipped quietly (a README.pdf.license is not knowledge), files over `maxFileBytes` and
 * past `maxFiles` skipped with a warning naming them and the limit.
 */
export async function listKnowledgeFiles(
  folder: string,
  limits: Pick<KnowledgeLimits, "maxFiles" | "maxFileBytes">,
  logger: Logger,
): Promise<KnowledgeFile[]> {
  const found: KnowledgeFile[] = [];
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const candidates = entries
    .filter(
      (entry) => entry.isFile() && KNOWLEDGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase()),
    )
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter(
      (file) =>
        !path
          .relative(folder, file)
          .split(path.sep)
          .some((p) => p.startsWith(".")),
    )
    .sort();
  for (const file of candidates) {
    const source = path.relative(folder, file).split(path.sep).join("/");
    if (found.length === limits.maxFiles) {
      logger.warn(
        { folder, maxFiles: limits.maxFiles, skipped: candidates.length - limits.maxFiles },
        "knowledge folder has more files than the limit; the rest are not indexed",
      );
      break;
    }
    const info = await stat(file);
    if (info.size > limits.maxFileBytes) {
      logger.warn(
        { folder, source, bytes: info.size, maxFileBytes: limits.maxFileBytes },
        "knowledge file is larger than the limit; not indexed",
      );
      continue;
    }
    found.push({ source, file, stamp: `${info.size}:${info.mtimeMs}` });
  }
  return found;
}
