import { describe, expect, it } from "vitest";
import { missingToolCalls, valueMatches } from "./tool-call-match.ts";

describe("valueMatches", () => {
  it("matches strings as a case-insensitive part, spacing ignored", () => {
    expect(valueMatches("4.4", 'project = DEMO AND fixVersion = "4.4"')).toBe(true);
    expect(valueMatches("FixVersion  =", "fixversion =")).toBe(true);
    expect(valueMatches("4.5", 'fixVersion = "4.4"')).toBe(false);
    expect(valueMatches("x", undefined)).toBe(false);
  });

  it("matches numbers exactly, or as a whole number inside a string", () => {
    expect(valueMatches(12, 12)).toBe(true);
    expect(valueMatches(12, "sprint 12")).toBe(true);
    expect(valueMatches(12, "sprint 120")).toBe(false);
    expect(valueMatches(12, 13)).toBe(false);
  });

  it("matches arrays as a subset in any order, objects as a subset of keys", () => {
    expect(valueMatches(["Frontend"], ["Backend", "frontend"])).toBe(true);
    expect(valueMatches(["Frontend", "Mobile"], ["Frontend"])).toBe(false);
    expect(valueMatches("Frontend", ["Frontend"])).toBe(true);
    expect(valueMatches({ a: "x" }, { a: "xy", b: 1 })).toBe(true);
    expect(valueMatches({ a: "x", c: 1 }, { a: "xy" })).toBe(false);
    expect(valueMatches({}, "not an object")).toBe(false);
  });
});

describe("missingToolCalls", () => {
  const observed = [
    { name: "get_issues_stats", args: { jql: 'fixVersion = "4.4"' }, isError: false },
    { name: "get_issue", args: { issue_key: "DEMO-1" }, isError: true },
  ];
  it("lists the expected calls nothing satisfied; a failed call satisfies nothing", () => {
    expect(
      missingToolCalls(
        [
          { name: "get_issues_stats", args: { jql: "4.4" } },
          { name: "get_issues_stats" },
          { name: "get_issue", args: { issue_key: "DEMO-1" } },
          { name: "get_fix_versions" },
        ],
        observed,
      ).map((call) => call.name),
    ).toEqual(["get_issue", "get_fix_versions"]);
  });
});
