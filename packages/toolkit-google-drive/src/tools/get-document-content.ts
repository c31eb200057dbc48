import { defineTool, z } from "@agentllm/sdk";
import { documentIdOf } from "../document-ref.ts";
import { DriveHttpError, driveGet, driveJson } from "../drive-client.ts";
import { asDriveUser, type DriveSettings, explainDriveError } from "../drive-session.ts";

/** The most of a document the model gets (~12k tokens): enough for a long spec, not a book. */
export const MAX_DOCUMENT_CHARS = 50_000;
/** Read at most this much of an export: MAX_DOCUMENT_CHARS characters of up to 4 bytes each. */
export const MAX_DOCUMENT_BYTES = MAX_DOCUMENT_CHARS * 4;
/** Links and ids are short; anything longer is not one. */
export const MAX_REF_CHARS = 2_000;

/** How each Docs Editors type is exported: the text format the model reads best. */
const EXPORTS: Readonly<Record<string, { readonly type: string; readonly format: string }>> = {
  "application/vnd.google-apps.document": { type: "Google Doc", format: "text/markdown" },
  "application/vnd.google-apps.spreadsheet": { type: "Google Sheet", format: "text/csv" },
  "application/vnd.google-apps.presentation": { type: "Google Slides", format: "text/plain" },
};

interface FileMetadata {
  readonly id: string;
  readonly name: string;
  readonly mimeType: string;
  readonly webViewLink?: string;
  readonly modifiedTime?: string;
}

export function getDocumentContentTool(settings: DriveSettings) {
  return defineTool({
    description:
      "Reads a Google Doc (as Markdown), Sheet (first sheet, as CSV) or Slides deck (as text) as the user. Use it whenever the user gives a docs.google.com or drive.google.com link or a Drive file id, or after find_files found the file.",
    status: "Reading the document…",
    parameters: z.object({
      url_or_id: z
        .string()
        .trim()
        .min(1, "give a Google Docs, Sheets or Slides link or a Drive file id")
        .max(MAX_REF_CHARS, `a link or id is at most ${MAX_REF_CHARS} characters`)
        .describe("The document's link (docs.google.com/…/d/<id>/…) or its Drive file id."),
    }),
    // Our own cut (MAX_DOCUMENT_CHARS, with a note) must come before the runtime's generic one.
    maxResultBytes: MAX_DOCUMENT_BYTES + 16 * 1024,
    async execute({ url_or_id }, ctx) {
      const id = documentIdOf(url_or_id);
      const what = `the file ${id}`;
      try {
        return await asDriveUser(ctx, settings, async (request) => {
          const file = (await driveJson(
            `files/${encodeURIComponent(id)}`,
            { fields: "id,name,mimeType,webViewLink,modifiedTime", supportsAllDrives: "true" },
            request,
          )) as FileMetadata;
          const kind = EXPORTS[file.mimeType];
          if (!kind) throw new Error(notReadable(file));
          const body = await driveGet(
            `files/${encodeURIComponent(id)}/export`,
            { mimeType: kind.format },
            request,
            { maxBytes: MAX_DOCUMENT_BYTES, truncate: true },
          );
          // Google starts a Doc's text export with a byte order mark.
          let content = body.text.replace(/^\uFEFF/, "");
          let truncated = body.truncated;
          if (content.length > MAX_DOCUMENT_CHARS) {
            // Never end on half of a surrogate pair (an emoji cut in two).
            content = content.slice(0, MAX_DOCUMENT_CHARS).replace(/[\uD800-\uDBFF]$/, "");
            truncated = true;
          }
          return {
            title: file.name,
            type: kind.type,
            link: file.webViewLink ?? "",
            modified: file.modifiedTime ?? "",
            format: kind.format,
            content,
            ...(kind.format === "text/csv"
              ? { note: "Only the first sheet: Google exports one sheet as CSV." }
              : {}),
            ...(truncated
              ? {
                  truncated: `The document is longer than ${MAX_DOCUMENT_CHARS} characters; this is its beginning. Tell the user the rest was not read.`,
                }
              : {}),
          };
        });
      } catch (error) {
        if (!(error instanceof DriveHttpError)) throw error;
        if (error.reason === "exportSizeLimitExceeded") {
          throw new Error(
            `${what} is too large for Google to export (over 10 MB); ask the user to share a smaller part.`,
          );
        }
        throw new Error(explainDriveError(error, what));
      }
    },
  });
}

function notReadable(file: FileMetadata): string {
  if (file.mimeType === "application/vnd.google-apps.folder") {
    return `'${file.name}' is a folder; use find_files to look for the document in it.`;
  }
  return `'${file.name}' is a ${file.mimeType} file, not a Google Doc, Sheet or Slides deck: only those can be read. Give the user its link instead: ${file.webViewLink ?? ""}`.trimEnd();
}
