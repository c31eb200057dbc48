import { describe, expect, it } from "vitest";
import { DocumentRefError, documentIdOf } from "./document-ref.ts";

const ID = "1TeamMappingDoc000000000000000000000000000AB";

describe("documentIdOf", () => {
  it.each([
    [ID],
    [` ${ID} `],
    [`https://docs.google.com/document/d/${ID}/edit?tab=t.0#heading=h.1`],
    [`https://docs.google.com/document/u/1/d/${ID}/edit`],
    [`https://docs.google.com/spreadsheets/d/${ID}/edit#gid=0`],
    [`https://docs.google.com/presentation/d/${ID}/edit#slide=id.p`],
    [`https://drive.google.com/file/d/${ID}/view?usp=sharing`],
    [`https://drive.google.com/open?id=${ID}`],
    [`docs.google.com/document/d/${ID}`],
  ])("finds the id in %s", (input) => {
    expect(documentIdOf(input)).toBe(ID);
  });

  it.each([
    ["https://example.com/document/d/abc", "example.com is not Google Drive"],
    ["https://docs.google.com/document/d/e/2PACX-1vabc/pub", "published to the web"],
    ["https://docs.google.com/document/", "no file id in this link"],
    ["not a link at all", "is neither a link nor a file id"],
    // Too short or too long for an id, so read as a host name.
    ["short", "short is not Google Drive"],
    ["x".repeat(129), "is not Google Drive"],
  ])("refuses %s", (input, message) => {
    expect(() => documentIdOf(input)).toThrow(DocumentRefError);
    expect(() => documentIdOf(input)).toThrow(message);
  });

  it("accepts ids at the length bounds", () => {
    expect(documentIdOf("a".repeat(10))).toBe("a".repeat(10));
    expect(documentIdOf("a".repeat(128))).toBe("a".repeat(128));
  });
});
