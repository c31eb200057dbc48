import { RELEASE_WORKBOOK_CSV } from "@agentllm/testkit";
import { describe, expect, it } from "vitest";
import { applySheet, MAX_REPORTED_PROBLEMS, SheetFormatError } from "./apply-sheet.ts";
import { DEFAULT_WORKBOOK } from "./default-workbook.ts";
import {
  MAX_ENTRIES_PER_KIND,
  MAX_NAME_CHARS,
  MAX_TRIGGER_CHARS,
  MAX_TRIGGERS_PER_WORKFLOW,
  MAX_VALUE_CHARS,
  workbookSchema,
} from "./workbook-schema.ts";

const HEADER = "kind,name,value\r\n";

describe("the shipped workbook", () => {
  it("is a valid workbook, every workflow selectable, every query in the fake Jira's project", () => {
    expect(workbookSchema.parse(DEFAULT_WORKBOOK)).toEqual(DEFAULT_WORKBOOK);
    expect(Object.keys(DEFAULT_WORKBOOK.triggers).sort()).toEqual(
      Object.keys(DEFAULT_WORKBOOK.workflows).sort(),
    );
    for (const jql of Object.values(DEFAULT_WORKBOOK.queries)) {
      expect(jql).toContain("project = {project_key}");
    }
  });

  it("names in its workflows only queries and messages it has", () => {
    let checked = 0;
    for (const steps of Object.values(DEFAULT_WORKBOOK.workflows)) {
      for (const [, verb, name] of steps.matchAll(/(Fill|message) ([a-z]+_[a-z_]+)/g)) {
        const kind = verb === "Fill" ? DEFAULT_WORKBOOK.queries : DEFAULT_WORKBOOK.messages;
        expect(Object.keys(kind)).toContain(name);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe("applySheet", () => {
  it("lays the fake Drive's Sheet over the defaults and names the row it skipped", () => {
    const { workbook, problems } = applySheet(DEFAULT_WORKBOOK, RELEASE_WORKBOOK_CSV);
    expect(workbook.config.announce_channel).toBe("#release-train");
    expect(workbook.config.project_key).toBe("DEMO"); // left out by the Sheet: the default
    expect(workbook.messages.code_freeze_announcement).toContain("FROZEN: {product_name}");
    expect(workbook.messages.code_freeze_update).toBe(DEFAULT_WORKBOOK.messages.code_freeze_update);
    expect(workbook.triggers.hotfix_candidates).toEqual([
      "hotfix candidates",
      "what could go into a hotfix",
    ]);
    expect(workbook.queries.hotfix_candidates).toBe(
      'project = {project_key} AND fixVersion = "{version}" AND issuetype = Bug AND status = Done',
    );
    expect(problems).toEqual([
      "row 11: unknown kind 'team' (use config, workflow, trigger, query, message, prompt, tool)",
    ]);
  });

  it("replaces a workflow's trigger phrases with the Sheet's", () => {
    const { workbook } = applySheet(
      DEFAULT_WORKBOOK,
      `${HEADER}trigger,blocker_bugs,showstoppers\r\n`,
    );
    expect(workbook.triggers.blocker_bugs).toEqual(["showstoppers"]);
  });

  it("skips bad rows and keeps the good ones", () => {
    const csv = [
      "Kind,Name,Value",
      "query,Bad Name,x",
      "prompt,empty,",
      `prompt,long,${"p".repeat(MAX_VALUE_CHARS + 1)}`,
      `trigger,release_dates,${"t".repeat(MAX_TRIGGER_CHARS + 1)}`,
      `prompt,at_limit,${"p".repeat(MAX_VALUE_CHARS)}`,
    ].join("\n");
    const { workbook, problems } = applySheet(DEFAULT_WORKBOOK, csv);
    expect(workbook.prompts.at_limit).toHaveLength(MAX_VALUE_CHARS);
    expect(problems).toEqual([
      "row 2: 'Bad Name' is not a name (lower-case letters, digits and _)",
      "row 3: prompt empty has no value",
      `row 4: prompt long is longer than ${MAX_VALUE_CHARS} characters`,
      `row 5: trigger release_dates is longer than ${MAX_TRIGGER_CHARS} characters`,
    ]);
  });

  it("takes names, phrases, entries and phrases per workflow up to their limits, and no more", () => {
    const name = "n".repeat(MAX_NAME_CHARS);
    const phrase = "t".repeat(MAX_TRIGGER_CHARS);
    const prompts = Object.keys(DEFAULT_WORKBOOK.prompts).length;
    const rows = [
      `prompt,${name},at the limit`,
      `prompt,${name}n,one over`,
      ...Array.from(
        { length: MAX_TRIGGERS_PER_WORKFLOW + 1 },
        (_, i) => `trigger,release_dates,${phrase.slice(i)}`,
      ),
      // Prompts up to the limit (one is taken by the long name above), then one more.
      ...Array.from({ length: MAX_ENTRIES_PER_KIND - prompts }, (_, i) => `prompt,p${i},text`),
    ];
    const { workbook, problems } = applySheet(DEFAULT_WORKBOOK, `${HEADER}${rows.join("\n")}`);
    expect(workbook.prompts[name]).toBe("at the limit");
    expect(workbook.triggers.release_dates).toHaveLength(MAX_TRIGGERS_PER_WORKFLOW);
    expect(workbook.triggers.release_dates?.[0]).toBe(phrase);
    expect(Object.keys(workbook.prompts)).toHaveLength(MAX_ENTRIES_PER_KIND);
    expect(problems).toEqual([
      `row 3: '${"n".repeat(40)}…' is not a name (lower-case letters, digits and _)`,
      `row ${4 + MAX_TRIGGERS_PER_WORKFLOW}: more than ${MAX_TRIGGERS_PER_WORKFLOW} phrases for release_dates`,
      `row ${rows.length + 1}: more than ${MAX_ENTRIES_PER_KIND} entries of kind prompt`,
    ]);
  });

  it("names at most a bounded number of problems", () => {
    const rows = Array.from({ length: MAX_REPORTED_PROBLEMS + 5 }, (_, i) => `nope,n${i},v`);
    const { problems } = applySheet(DEFAULT_WORKBOOK, `${HEADER}${rows.join("\n")}`);
    expect(problems).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(problems.at(-1)).toBe("… and 5 more");
  });

  it("refuses a Sheet without the header, or that is not CSV", () => {
    expect(() => applySheet(DEFAULT_WORKBOOK, "Version,Code freeze\n4.2,2026-09-01\n")).toThrow(
      SheetFormatError,
    );
    expect(() => applySheet(DEFAULT_WORKBOOK, `${HEADER}config,a,"open`)).toThrow("not CSV");
  });

  it("refuses a Sheet that makes an invalid workbook, naming why", () => {
    expect(() => applySheet(DEFAULT_WORKBOOK, `${HEADER}trigger,no_such_workflow,go\n`)).toThrow(
      "triggers name the workflow 'no_such_workflow'",
    );
    expect(() => applySheet(DEFAULT_WORKBOOK, `${HEADER}config,project_key,demo\n`)).toThrow(
      "project_key",
    );
  });
});
