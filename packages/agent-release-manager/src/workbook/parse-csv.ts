/** Past this many rows the text is not a workbook: stop reading rather than fill memory. */
export const MAX_CSV_ROWS = 1_000;

export class CsvError extends Error {
  override readonly name = "CsvError";
}

/**
 * Rows of RFC 4180 CSV, as Google exports a Sheet: fields quoted when they hold a comma, a quote
 * or a line break, quotes doubled inside, CRLF between rows. Twenty lines rather than a
 * dependency: this one dialect, from one producer, is all we read.
 */
export function parseCsv(text: string, maxRows = MAX_CSV_ROWS): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    rows.push(row);
    if (rows.length > maxRows) throw new CsvError(`more than ${maxRows} rows`);
    row = [];
    field = "";
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      endRow();
      if (c === "\r" && text[i + 1] === "\n") i++;
    } else field += c;
    i++;
  }
  if (quoted) throw new CsvError("a quoted field is never closed");
  if (field !== "" || row.length > 0) endRow();
  return rows;
}
