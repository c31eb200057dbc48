/** A Drive file id: Drive's are 25 to 44 characters of this set; allow some room either way. */
export const FILE_ID = /^[A-Za-z0-9_-]{10,128}$/;

/** What the user gave could not name a Drive file; the message says what would. */
export class DocumentRefError extends Error {
  override readonly name = "DocumentRefError";
}

const EXAMPLES =
  "give a Google Docs, Sheets or Slides link (https://docs.google.com/document/d/<id>/edit), a Drive file link, or the file's id";

/**
 * The file id in a Docs/Sheets/Slides or Drive link, or a bare id. Links carry the id after
 * `/d/` (`/document/d/<id>/edit`, `/spreadsheets/u/1/d/<id>`, `/file/d/<id>/view`) or in
 * `?id=` (`drive.google.com/open?id=<id>`). "Publish to web" links (`/d/e/2PACX…`) carry no
 * file id and are refused with a way out.
 */
export function documentIdOf(input: string): string {
  const text = input.trim();
  if (FILE_ID.test(text)) return text;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new DocumentRefError(`'${clip(text)}' is neither a link nor a file id: ${EXAMPLES}.`);
  }
  const host = url.hostname.toLowerCase();
  if (host !== "docs.google.com" && host !== "drive.google.com") {
    throw new DocumentRefError(`${url.hostname} is not Google Drive: ${EXAMPLES}.`);
  }
  if (/\/d\/e\/[^/]+/.test(url.pathname)) {
    throw new DocumentRefError(
      "this is a 'published to the web' link, which names no file: ask the user for the document's own link (Share > Copy link).",
    );
  }
  const fromPath = /\/d\/([^/]+)/.exec(url.pathname)?.[1];
  const id = fromPath ?? url.searchParams.get("id") ?? undefined;
  if (id === undefined || !FILE_ID.test(id)) {
    throw new DocumentRefError(`no file id in this link: ${EXAMPLES}.`);
  }
  return id;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
