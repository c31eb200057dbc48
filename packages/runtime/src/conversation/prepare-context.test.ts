import { describe, expect, it } from "vitest";
import { trimNotes } from "./prepare-context.ts";

describe("trimNotes", () => {
  it("says nothing when nothing was left out", () => {
    expect(trimNotes(0, 0)).toEqual([]);
  });

  it("reads the same however many turns' steps were left out: the cached prefix survives", () => {
    expect(trimNotes(1, 0)).toEqual(trimNotes(7, 0));
    expect(trimNotes(1, 0)[0]).toContain("tool calls and results of some earlier exchanges");
  });

  it("counts the exchanges the context fit left out", () => {
    expect(trimNotes(0, 3)).toEqual([
      "(The 3 oldest exchanges of this conversation were left out to fit the context window.)",
    ]);
  });
});
