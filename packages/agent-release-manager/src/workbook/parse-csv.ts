import { CsvError as ParserError, parse } from "csv-parse/sync";

/** Past this many rows the text is not a workbook: stop reading rather than fill memory. */
export const MAX_CSV_ROWS = 1_000;

export class CsvError extends Error {
  override readonly name = "CsvError";
}

/**
 * Rows of the CSV Google exports for a Sheet (RFC 4180: quoted fields, doubled quotes, CRLF),
 * read with csv-parse. Rows may differ in length (a Sheet's trailing empty cells are dropped);
 * reading stops one row past `maxRows`, so a huge export is refused without being held whole.
 */
export function parseCsv(text: string, maxRows = MAX_CSV_ROWS): string[][] {
  let rows: string[][];
  try {
    rows = parse(text, {
      relax_column_count: true,
      // Without a list csv-parse takes the first row's ending for all; a hand-edited or
      // re-saved export may mix CRLF and LF.
      record_delimiter: ["\r\n", "\n", "\r"],
      to: maxRows + 1,
    });
  } catch (error) {
    if (error instanceof ParserError) throw new CsvError(error.message);
    throw error;
  }
  if (rows.length > maxRows) throw new CsvError(`more than ${maxRows} rows`);
  return rows;
}
