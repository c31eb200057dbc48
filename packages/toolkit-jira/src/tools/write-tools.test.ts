import {
  CredentialRequiredError,
  type PluginLogger,
  type ToolContext,
  type ToolCredential,
} from "@agentllm/sdk";
import { type FakeJira, seedUsers, startFakeJira } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJiraToolkit } from "../jira-toolkit.ts";
import { MAX_JIRA_TEXT_CHARS, MAX_LIST_ITEMS, MAX_SUMMARY_CHARS } from "./write-fields.ts";

const dana = seedUsers[0] as (typeof seedUsers)[number];
const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
type Tools = ReturnType<typeof createJiraToolkit>["tools"];
const tools = createJiraToolkit({ defaultBaseUrl: () => undefined }).tools;

describe("toolkit-jira's write tools: declarations", () => {
  it("each declares its side effect and describes a call for the person approving it", () => {
    expect(tools.add_comment.sideEffect?.describe({ issue_key: "DEMO-1", body: "x" })).toBe(
      "Add a comment to DEMO-1 in Jira",
    );
    const create = tools.create_issue.parameters.parse({ project_key: "ops", summary: "Do it" });
    expect(tools.create_issue.sideEffect?.describe(create)).toBe(
      "Create a Task in Jira project OPS",
    );
    const update = tools.update_issue.parameters.parse({ issue_key: "demo-5", priority: "High" });
    expect(tools.update_issue.sideEffect?.describe(update)).toBe(
      "Change priority of DEMO-5 in Jira",
    );
    // The read tools do not.
    expect(tools.get_issue.sideEffect).toBeUndefined();
  });

  it("bounds text at Jira's limits: 32,767 for a comment or description, 255 for a summary", () => {
    const comment = tools.add_comment.parameters;
    expect(
      comment.safeParse({ issue_key: "DEMO-1", body: "x".repeat(MAX_JIRA_TEXT_CHARS) }).success,
    ).toBe(true);
    const tooLong = comment.safeParse({
      issue_key: "DEMO-1",
      body: "x".repeat(MAX_JIRA_TEXT_CHARS + 1),
    });
    expect(tooLong.error?.issues[0]?.message).toContain("at most 32767 characters");
    expect(comment.safeParse({ issue_key: "DEMO-1", body: "" }).success).toBe(false);
    const create = tools.create_issue.parameters;
    expect(
      create.safeParse({ project_key: "OPS", summary: "s".repeat(MAX_SUMMARY_CHARS) }).success,
    ).toBe(true);
    const longSummary = create.safeParse({
      project_key: "OPS",
      summary: "s".repeat(MAX_SUMMARY_CHARS + 1),
    });
    expect(longSummary.error?.issues[0]?.message).toContain("at most 255 characters");
    const labels = Array.from({ length: MAX_LIST_ITEMS + 1 }, (_, i) => `l${i}`);
    expect(
      create.safeParse({ project_key: "OPS", summary: "s", labels: labels.slice(1) }).success,
    ).toBe(true);
    expect(create.safeParse({ project_key: "OPS", summary: "s", labels }).success).toBe(false);
  });

  it("update_issue needs at least one field to change", () => {
    const result = tools.update_issue.parameters.safeParse({ issue_key: "DEMO-5" });
    expect(result.error?.issues[0]?.message).toBe("name at least one field to change");
  });
});

for (const flavour of ["server", "cloud"] as const) {
  describe(`toolkit-jira's write tools against the fake Jira (${flavour})`, () => {
    let jira: FakeJira;
    beforeAll(async () => {
      jira = await startFakeJira({ flavour });
    });
    afterAll(() => jira.close());

    const run = async (name: keyof Tools, args: Record<string, unknown>) => {
      const credential: ToolCredential = {
        connected: async () => true,
        get: async () => ({
          serverUrl: jira.url,
          token: dana.token,
          email: flavour === "cloud" ? dana.emailAddress : "",
        }),
        rejected: async (reason) => {
          throw new CredentialRequiredError("jira", reason);
        },
      };
      const ctx: ToolContext = {
        userId: "alice",
        sessionId: undefined,
        signal: new AbortController().signal,
        logger: quiet,
        settings: { get: async () => undefined, set: async () => {}, delete: async () => {} },
        credential,
      };
      const tool = tools[name];
      // biome-ignore lint/suspicious/noExplicitAny: each tool has its own parameters
      const parsed = (tool.parameters as any).parse(args);
      return Promise.resolve(tool.execute(parsed, ctx)).then(
        (value) => ({ value: value as Record<string, unknown>, error: undefined }),
        (error: unknown) => ({ value: undefined, error: error as Error }),
      );
    };

    it("add_comment posts the exact text (ADF on Cloud, plain on Server) as the user", async () => {
      const body = "Checked on staging.\nAll green.\n\nShipping **tomorrow**.";
      const { value } = await run("add_comment", { issue_key: "demo-1", body });
      expect(value).toMatchObject({ issue_key: "DEMO-1", url: `${jira.url}/browse/DEMO-1` });
      expect(jira.writes).toEqual([{ kind: "comment", issueKey: "DEMO-1", userId: dana.id, body }]);
      const request = jira.requests.at(-1);
      expect(request?.path).toBe(`/rest/api/${flavour === "cloud" ? 3 : 2}/issue/DEMO-1/comment`);
      if (flavour === "cloud")
        expect(request?.body).toMatchObject({ body: { type: "doc", version: 1 } });
      else expect(request?.body).toEqual({ body });
    });

    it("create_issue creates with every field it supports, and says the new key", async () => {
      const { value } = await run("create_issue", {
        project_key: "OPS",
        issue_type: "Bug",
        summary: "Backups fail on Sundays",
        description: "Since the 3rd.",
        priority: "High",
        labels: ["backup"],
        components: ["Platform"],
        fix_versions: ["4.3"],
      });
      expect(value?.issue_key).toBe("OPS-9");
      expect(jira.writes.at(-1)).toMatchObject({
        kind: "create",
        issueKey: "OPS-9",
        fields: {
          issuetype: "Bug",
          summary: "Backups fail on Sundays",
          description: "Since the 3rd.",
          priority: "High",
          labels: ["backup"],
          components: ["Platform"],
          fixVersions: ["4.3"],
        },
      });
    });

    it("update_issue changes only the fields named", async () => {
      const { value } = await run("update_issue", { issue_key: "DEMO-5", summary: "Renamed" });
      expect(value).toMatchObject({ issue_key: "DEMO-5", updated: "summary" });
      expect(jira.writes.at(-1)).toEqual({
        kind: "update",
        issueKey: "DEMO-5",
        userId: dana.id,
        fields: { summary: "Renamed" },
      });
    });

    it("says what Jira refused: a forbidden issue (403), an unknown one (404), a bad field (400)", async () => {
      expect(
        (await run("add_comment", { issue_key: "DEMO-3", body: "x" })).error?.message,
      ).toContain("403");
      expect(
        (await run("add_comment", { issue_key: "NOPE-1", body: "x" })).error?.message,
      ).toContain("404");
      const bad = await run("update_issue", {
        issue_key: "DEMO-5",
        fix_versions: ["no-such-version"],
      });
      expect(bad.error?.message).toContain("fixVersions");
      expect(bad.error?.message).toContain("Nothing was changed");
    });
  });
}
