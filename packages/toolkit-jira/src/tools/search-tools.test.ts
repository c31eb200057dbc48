import {
  CredentialRequiredError,
  type PluginLogger,
  type ToolContext,
  type ToolCredential,
} from "@agentllm/sdk";
import { type FakeJira, seedIssues, seedUsers, startFakeJira } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JQL_CHARS, MAX_SEARCH_ISSUES } from "../jira-search.ts";
import { createJiraToolkit } from "../jira-toolkit.ts";
import { MAX_FIX_VERSIONS } from "./get-fix-versions.ts";
import { MAX_DETAILED_ISSUES, MAX_SUMMARY_ISSUES } from "./get-issues-list.ts";

const dana = seedUsers[0] as (typeof seedUsers)[number];
const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const demo = seedIssues.filter((i) => i.key.startsWith("DEMO-") && i.key !== "DEMO-3");

type Tools = ReturnType<typeof createJiraToolkit>["tools"];

/** A context whose credential is Dana's, in the flavour's form; a rejection is a test failure. */
function contextOf(flavour: "server" | "cloud"): ToolContext {
  return {
    userId: "alice",
    sessionId: undefined,
    signal: new AbortController().signal,
    logger: quiet,
    settings: { get: async () => undefined, set: async () => {}, delete: async () => {} },
    credential: {
      connected: async () => true,
      get: async () => ({ token: dana.token, email: flavour === "cloud" ? dana.emailAddress : "" }),
      rejected: async () => {
        throw new Error("unexpected rejection");
      },
    },
  };
}

for (const flavour of ["server", "cloud"] as const) {
  describe(`toolkit-jira's search tools (${flavour})`, () => {
    let jira: FakeJira;
    beforeAll(async () => {
      jira = await startFakeJira({ flavour, searchPageLimit: 10 });
    });
    afterAll(() => jira.close());

    const run = async (
      name: keyof Tools,
      args: Record<string, unknown>,
      token = dana.token,
      timeoutMs = 2_000,
    ) => {
      const rejections: string[] = [];
      const credential: ToolCredential = {
        connected: async () => true,
        get: async () => ({
          serverUrl: jira.url,
          token,
          email: flavour === "cloud" ? dana.emailAddress : "",
        }),
        rejected: async (reason) => {
          rejections.push(reason);
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
      const tool = createJiraToolkit({ defaultBaseUrl: () => undefined, timeoutMs }).tools[name];
      // biome-ignore lint/suspicious/noExplicitAny: each tool has its own parameters
      const parsed = (tool.parameters as any).parse(args);
      return Promise.resolve(tool.execute(parsed, ctx)).then(
        (value) => ({ value: value as string, error: undefined, rejections }),
        (error: unknown) => ({ value: undefined, error: error as Error, rejections }),
      );
    };

    it("get_issues_stats counts by status, type and priority, with the search link", async () => {
      const { value } = await run("get_issues_stats", { jql: "project = DEMO" });
      expect(value).toContain(`Issues matching project = DEMO: ${demo.length}`);
      expect(value).toContain(`Search: ${jira.url}/issues/?jql=project%20%3D%20DEMO`);
      const inProgress = demo.filter((i) => i.status === "In Progress").length;
      expect(value).toMatch(new RegExp(`By status: .*In Progress ${inProgress}`));
      const bugs = demo.filter((i) => i.type === "Bug").length;
      expect(value).toMatch(new RegExp(`By type: .*Bug ${bugs}`));
      expect(value).toMatch(/By priority: .*Highest \d+/);
      expect(value).not.toContain("cover the first");
    });

    it("get_issues_summary lists one line per issue and says how many more there are", async () => {
      const { value } = await run("get_issues_summary", {
        jql: "project = DEMO ORDER BY key ASC",
        limit: 12,
      });
      const lines = (value as string).split("\n");
      expect(lines[0]).toBe(
        `DEMO-1 [In Progress] Export to CSV drops rows with non-ASCII names | Dana Reyes | ${jira.url}/browse/DEMO-1`,
      );
      expect(lines).toHaveLength(13);
      const more = demo.length - 12;
      expect(lines[12]).toContain(
        flavour === "cloud"
          ? `About ${more} more not shown (about ${demo.length} match)`
          : `${more} more not shown (${demo.length} match)`,
      );
      expect(value).toContain("Dark mode for the settings page | unassigned");
    });

    it("get_issues_detailed adds priority, versions, components, update and a description excerpt", async () => {
      const { value } = await run("get_issues_detailed", {
        jql: "project = DEMO AND fixVersion = 4.4 AND component = Backend ORDER BY key ASC",
        limit: 2,
      });
      expect(value).toContain("DEMO-1: Export to CSV drops rows with non-ASCII names");
      expect(value).toContain(`Link: ${jira.url}/browse/DEMO-1`);
      expect(value).toContain(
        "Type: Bug | Status: In Progress | Priority: High | Assignee: Dana Reyes",
      );
      expect(value).toContain("Fix versions: 4.4 | Components: Backend | Updated: 2026-11-20");
      expect(value).toContain("Description: Exporting the customer list to CSV loses every row");
    });

    it("says when nothing matches, and passes Jira's JQL error on to the model", async () => {
      expect(
        (await run("get_issues_summary", { jql: "project = OPS AND status = Nope" })).value,
      ).toBe("No issues match project = OPS AND status = Nope.");
      const { error } = await run("get_issues_summary", { jql: "project = DEMO OR status = Done" });
      expect(error?.message).toMatch(
        /^Jira did not accept the query project = DEMO OR status = Done \(400\): .*only AND.*Fix the query/,
      );
    });

    it("get_fix_versions lists names, release state and dates; 404 for an unknown project", async () => {
      const { value } = await run("get_fix_versions", { project: "demo" });
      expect(value).toBe(
        [
          "Versions of DEMO (4, oldest first):",
          "- 4.2: released 2026-09-15",
          "- 4.3: released 2026-10-20",
          "- 4.4: unreleased, due 2026-12-10",
          "- 5.0: unreleased",
        ].join("\n"),
      );
      expect((await run("get_fix_versions", { project: "NOPE" })).error?.message).toBe(
        "project NOPE does not exist, or the user's account cannot see it (404).",
      );
    });

    it("hands a refused token to credential.rejected (401)", async () => {
      const { error, rejections } = await run(
        "get_issues_stats",
        { jql: "project = DEMO" },
        "revoked-1234",
      );
      expect(error).toBeInstanceOf(CredentialRequiredError);
      expect(rejections).toEqual(["Jira no longer accepts the saved token (401)"]);
    });

    it("turns 403, 429 with Retry-After, 5xx and a silent Jira into clear tool errors", async () => {
      jira.failNext({ status: 403 });
      expect((await run("get_issues_summary", { jql: "project = DEMO" })).error?.message).toContain(
        "Jira refused access to the query project = DEMO (403)",
      );
      jira.failNext({ status: 429, retryAfterSeconds: 17 });
      expect((await run("get_fix_versions", { project: "DEMO" })).error?.message).toContain(
        "Jira is limiting requests (429); retry after 17 seconds",
      );
      jira.failNext({ status: 503 });
      expect((await run("get_issues_stats", { jql: "project = DEMO" })).error?.message).toContain(
        "Jira answered 503 for the query project = DEMO",
      );
      jira.failNext({ hang: true });
      expect(
        (await run("get_issues_detailed", { jql: "project = DEMO" }, dana.token, 200)).error
          ?.message,
      ).toBe(`Jira at ${jira.url} did not answer within 0.2 s`);
    });
  });
}

describe("the search tools' parameters", () => {
  const { tools } = createJiraToolkit();
  it("bound the JQL and the limit", () => {
    const summary = tools.get_issues_summary.parameters;
    expect(summary.parse({ jql: " project = X " })).toEqual({ jql: "project = X", limit: 50 });
    expect(summary.safeParse({ jql: "x".repeat(MAX_JQL_CHARS) }).success).toBe(true);
    expect(summary.safeParse({ jql: "x".repeat(MAX_JQL_CHARS + 1) }).success).toBe(false);
    expect(summary.safeParse({ jql: "  " }).success).toBe(false);
    expect(summary.safeParse({ jql: "x", limit: MAX_SUMMARY_ISSUES }).success).toBe(true);
    expect(summary.safeParse({ jql: "x", limit: MAX_SUMMARY_ISSUES + 1 }).success).toBe(false);
    expect(summary.safeParse({ jql: "x", limit: 0 }).success).toBe(false);
    const detailed = tools.get_issues_detailed.parameters;
    expect(detailed.safeParse({ jql: "x", limit: MAX_DETAILED_ISSUES }).success).toBe(true);
    expect(detailed.safeParse({ jql: "x", limit: MAX_DETAILED_ISSUES + 1 }).success).toBe(false);
    const versions = tools.get_fix_versions.parameters;
    for (const bad of ["", "1AB", "../x", "A-1"])
      expect(versions.safeParse({ project: bad }).success).toBe(false);
  });

  it(`counts over the first ${MAX_SEARCH_ISSUES} issues of a larger search, and says so`, async () => {
    const base = seedIssues[3] as (typeof seedIssues)[number];
    const issues = Array.from({ length: MAX_SEARCH_ISSUES + 5 }, (_, i) => ({
      ...base,
      key: `BIG-${i + 1}`,
    }));
    for (const flavour of ["server", "cloud"] as const) {
      const jira = await startFakeJira({ flavour, issues });
      try {
        const tool = createJiraToolkit({ defaultBaseUrl: () => jira.url }).tools.get_issues_stats;
        const value = (await tool.execute({ jql: "project = BIG" }, contextOf(flavour))) as string;
        expect(value).toContain(
          `Issues matching project = BIG: ${flavour === "cloud" ? "about " : ""}${MAX_SEARCH_ISSUES + 5}`,
        );
        expect(value).toContain(
          `(The counts below cover the first ${MAX_SEARCH_ISSUES} issues only.)`,
        );
        expect(value).toContain(`By status: ${base.status} ${MAX_SEARCH_ISSUES}`);
        // Pages of 100 (Cloud's cap with fields), then Cloud's one count.
        expect(jira.requests).toHaveLength(MAX_SEARCH_ISSUES / 100 + (flavour === "cloud" ? 1 : 0));
      } finally {
        await jira.close();
      }
    }
  });

  it(`shows the newest ${MAX_FIX_VERSIONS} versions of a project with more`, async () => {
    const versions = Array.from({ length: MAX_FIX_VERSIONS + 5 }, (_, i) => ({
      project: "DEMO",
      name: `1.${i}`,
      released: true,
    }));
    const jira = await startFakeJira({ flavour: "server", versions });
    try {
      const tool = createJiraToolkit({ defaultBaseUrl: () => jira.url }).tools.get_fix_versions;
      const value = (await tool.execute({ project: "DEMO" }, contextOf("server"))) as string;
      expect(value).toContain(`Versions of DEMO (${MAX_FIX_VERSIONS + 5}, oldest first):`);
      expect(value).toContain("(5 older versions not shown)");
      expect(value).not.toContain("- 1.4:");
      expect(value).toContain("- 1.5:");
      expect(value).toContain(`- 1.${MAX_FIX_VERSIONS + 4}:`);
    } finally {
      await jira.close();
    }
  });
});
