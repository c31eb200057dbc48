import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "./parse-csv.ts";

describe("parseCsv", () => {
  it("reads Google's CSV: CRLF rows, quoted commas, doubled quotes and line breaks in cells", () => {
    const text = 'kind,name,value\r\nquery,q,"a = ""x"", b"\r\nmessage,m,"line 1\nline 2"\r\n';
    expect(parseCsv(text)).toEqual([
      ["kind", "name", "value"],
      ["query", "q", 'a = "x", b'],
      ["message", "m", "line 1\nline 2"],
    ]);
  });

  it("keeps a last row without a line break, and empty cells", () => {
    expect(parseCsv("a,,c\nd")).toEqual([["a", "", "c"], ["d"]]);
    expect(parseCsv("")).toEqual([]);
  });

  it("refuses an unclosed quote", () => {
    expect(() => parseCsv('a,"b\nc')).toThrow(CsvError);
  });

  it("reads rows up to the limit and refuses one more", () => {
    expect(parseCsv("a\nb\nc\n", 3)).toHaveLength(3);
    expect(() => parseCsv("a\nb\nc\nd\n", 3)).toThrow("more than 3 rows");
  });
});
