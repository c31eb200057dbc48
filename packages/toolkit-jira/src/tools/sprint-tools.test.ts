import {
  CredentialRequiredError,
  type PluginLogger,
  type ToolContext,
  type ToolCredential,
} from "@agentllm/sdk";
import { type FakeJira, seedIssues, seedUsers, startFakeJira } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJiraToolkit } from "../jira-toolkit.ts";
import {
  MAX_NAME_CHARS,
  MAX_TEAM_COMPONENTS,
  MAX_TEAM_ISSUES,
  teamJql,
} from "./get-issues-by-team.ts";
import { MAX_SPRINT_ISSUES } from "./get-sprint-metrics.ts";

const dana = seedUsers[0] as (typeof seedUsers)[number];
const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const visible = seedIssues.filter((issue) => !issue.forbiddenFor?.includes(dana.id));
type Tools = ReturnType<typeof createJiraToolkit>["tools"];

function contextFor(jiraUrl: string, flavour: "server" | "cloud", rejections: string[] = []) {
  const credential: ToolCredential = {
    connected: async () => true,
    get: async () => ({
      serverUrl: jiraUrl,
      token: dana.token,
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
  return ctx;
}

async function call(
  jira: FakeJira,
  name: keyof Tools,
  args: Record<string, unknown>,
): Promise<{ value: string | undefined; error: Error | undefined }> {
  const tool = createJiraToolkit({ defaultBaseUrl: () => undefined, timeoutMs: 2_000 }).tools[name];
  // biome-ignore lint/suspicious/noExplicitAny: each tool has its own parameters
  const parsed = (tool.parameters as any).parse(args);
  return Promise.resolve(tool.execute(parsed, contextFor(jira.url, jira.flavour))).then(
    (value) => ({ value: value as string, error: undefined }),
    (error: unknown) => ({ value: undefined, error: error as Error }),
  );
}

for (const flavour of ["server", "cloud"] as const) {
  describe(`toolkit-jira's sprint tools (${flavour})`, () => {
    let jira: FakeJira;
    beforeAll(async () => {
      jira = await startFakeJira({ flavour, searchPageLimit: 10 });
    });
    afterAll(() => jira.close());

    it("get_issues_by_team lists the open sprints' issues of a team's components, by status category", async () => {
      const { value } = await call(jira, "get_issues_by_team", {
        project: "demo",
        components: ["Frontend"],
      });
      const team = visible.filter(
        (i) => i.components?.includes("Frontend") && i.sprints?.some((id) => id >= 12),
      );
      const done = team.filter((i) => i.statusCategory === "done");
      expect(value).toContain(
        'Issues matching project = DEMO AND component in ("Frontend") AND sprint in openSprints() ORDER BY key ASC:',
      );
      expect(value).toContain(`Done (${done.length}):`);
      expect(value).toContain(
        `In progress (${team.filter((i) => i.statusCategory === "indeterminate").length}):`,
      );
      expect(value).toContain(
        `- DEMO-21 [In Progress] Story: Speed up the invoice list | Sam Okafor | Frontend | labels: blocked | ${jira.url}/browse/DEMO-21`,
      );
      expect(value?.match(/^- DEMO-/gm)).toHaveLength(team.length);
      expect(value).toContain(`Search: ${jira.url}/issues/?jql=project%20%3D%20DEMO`);
    });

    it("get_issues_by_team takes a sprint or a release, and says when nothing matches", async () => {
      const sprint = await call(jira, "get_issues_by_team", {
        project: "DEMO",
        components: ["Backend", "Platform"],
        sprint_id: 11,
        limit: 3,
      });
      const inSprint = visible.filter(
        (i) => i.sprints?.includes(11) && i.components?.some((c) => c !== "Frontend"),
      );
      expect(sprint.value).toContain("AND sprint = 11 ORDER BY key ASC:");
      expect(sprint.value?.match(/^- DEMO-/gm)).toHaveLength(3);
      expect(sprint.value).toContain(
        flavour === "cloud"
          ? `About ${inSprint.length - 3} more not shown (about ${inSprint.length} match)`
          : `${inSprint.length - 3} more not shown (${inSprint.length} match)`,
      );
      const release = await call(jira, "get_issues_by_team", {
        project: "OPS",
        components: ["Frontend"],
        fix_version: "2026.11",
      });
      expect(release.value).toMatch(
        /^No issues match project = OPS AND component in \("Frontend"\) AND fixVersion = "2026.11" ORDER BY key ASC\./,
      );
    });

    it("extract_sprint_info finds the active sprint in either flavour's sprint field", async () => {
      const { value } = await call(jira, "extract_sprint_info", { issue_key: "demo-1" });
      expect(value).toBe(
        [
          'DEMO-1 is in sprint 12, "DEMO Sprint 12" (active).',
          "Board: 1 | Dates: 2026-11-23 to 2026-12-04 | Goal: Billing API ready for the 4.4 release",
          'Its other sprints: 11 "DEMO Sprint 11" (closed).',
        ].join("\n"),
      );
      expect(jira.requests.at(-1)?.query.fields).toBe("*navigable,-description,-comment");
      expect((await call(jira, "extract_sprint_info", { issue_key: "DEMO-7" })).value).toMatch(
        /^DEMO-7 is in sprint 10, "DEMO Sprint 10" \(closed\)\.\n.*Completed: 2026-11-06/,
      );
      expect((await call(jira, "extract_sprint_info", { issue_key: "DEMO-33" })).value).toContain(
        "Dates: not planned yet | Goal: Audit log",
      );
      expect((await call(jira, "extract_sprint_info", { issue_key: "DEMO-2" })).value).toBe(
        "DEMO-2 is in no sprint (it is in the backlog, or the project has no sprints).",
      );
      expect(
        (await call(jira, "extract_sprint_info", { issue_key: "DEMO-999" })).error?.message,
      ).toBe("issue DEMO-999 does not exist, or the user's account cannot see it (404).");
    });

    it("get_sprint_metrics counts planned, closed stories and bugs, and the completion ratio", async () => {
      const { value } = await call(jira, "get_sprint_metrics", { sprint_id: 12 });
      const planned = visible.filter((i) => i.sprints?.includes(12));
      const closed = planned.filter((i) => i.statusCategory === "done");
      const stories = closed.filter((i) => i.type === "Story").length;
      const bugs = closed.filter((i) => i.type === "Bug").length;
      expect(value).toContain('Sprint 12, "DEMO Sprint 12" (active, 2026-11-23 to 2026-12-04)');
      expect(value).toContain(`Planned: ${planned.length} issues (the issues in the sprint now;`);
      expect(value).toContain(
        `Closed: ${closed.length} (stories ${stories}, bugs ${bugs}, other ${closed.length - stories - bugs})`,
      );
      expect(value).toContain(
        `Completion: ${Math.round((closed.length / planned.length) * 100)}% (${closed.length} of ${planned.length} closed)`,
      );
      expect(value).not.toContain("Carried over");
      // Pages of at most 10 (the fake's limit here) through the Agile API.
      const pages = jira.requests.filter((r) => r.path === "/rest/agile/1.0/sprint/12/issue");
      expect(pages.map((r) => r.query.startAt)).toEqual(
        Array.from({ length: Math.ceil(planned.length / 10) }, (_, i) => String(i * 10)),
      );
    });

    it("get_sprint_metrics does not count an issue finished in a later sprint as closed in a closed one", async () => {
      const { value } = await call(jira, "get_sprint_metrics", { sprint_id: 11 });
      const planned = visible.filter((i) => i.sprints?.includes(11));
      const carried = planned.filter((i) => i.sprints?.some((id) => id > 11));
      const closed = planned.filter((i) => !carried.includes(i) && i.statusCategory === "done");
      expect(carried.length).toBeGreaterThan(0);
      expect(value).toContain("(closed, 2026-11-09 to 2026-11-20, completed 2026-11-20)");
      expect(value).toContain(
        `Planned: ${planned.length} issues (the issues in the sprint now, that is when it closed;`,
      );
      expect(value).toContain(`Closed: ${closed.length} (`);
      expect(value).toContain(`Carried over to a later sprint: ${carried.length}`);
    });

    it("get_sprint_metrics: 404 for an unknown sprint, 429 passed on", async () => {
      expect((await call(jira, "get_sprint_metrics", { sprint_id: 99 })).error?.message).toBe(
        "sprint 99 does not exist, or the user's account cannot see it (404).",
      );
      jira.failNext({ status: 429, retryAfterSeconds: 9 });
      expect((await call(jira, "get_sprint_metrics", { sprint_id: 12 })).error?.message).toContain(
        "Jira is limiting requests (429); retry after 9 seconds",
      );
    });
  });
}

describe("the sprint tools' bounds", () => {
  const { tools } = createJiraToolkit();

  it("bound components, limit and names, and quote values in the JQL", () => {
    const team = tools.get_issues_by_team.parameters;
    const ok = { project: "DEMO", components: ["A"] };
    expect(team.safeParse(ok).success).toBe(true);
    expect(team.safeParse({ ...ok, components: [] }).success).toBe(false);
    const many = Array.from({ length: MAX_TEAM_COMPONENTS }, (_, i) => `C${i}`);
    expect(team.safeParse({ ...ok, components: many }).success).toBe(true);
    expect(team.safeParse({ ...ok, components: [...many, "one more"] }).success).toBe(false);
    expect(team.safeParse({ ...ok, limit: MAX_TEAM_ISSUES }).success).toBe(true);
    expect(team.safeParse({ ...ok, limit: MAX_TEAM_ISSUES + 1 }).success).toBe(false);
    expect(team.safeParse({ ...ok, components: ["a\nb"] }).success).toBe(false);
    expect(team.safeParse({ ...ok, components: ["x".repeat(MAX_NAME_CHARS)] }).success).toBe(true);
    expect(team.safeParse({ ...ok, fix_version: "x".repeat(MAX_NAME_CHARS + 1) }).success).toBe(
      false,
    );
    expect(team.safeParse({ ...ok, sprint_id: 0 }).success).toBe(false);
    expect(teamJql("DEMO", ['Say "hi"', "a\\b"], 12, undefined)).toBe(
      'project = DEMO AND component in ("Say \\"hi\\"", "a\\\\b") AND sprint = 12 ORDER BY key ASC',
    );
    expect(tools.get_sprint_metrics.parameters.safeParse({ sprint_id: 1.5 }).success).toBe(false);
    expect(tools.extract_sprint_info.parameters.safeParse({ issue_key: "12" }).success).toBe(false);
  });

  it(`get_sprint_metrics counts the first ${MAX_SPRINT_ISSUES} issues of a larger sprint, and says so`, async () => {
    const base = seedIssues[5] as (typeof seedIssues)[number];
    const issues = Array.from({ length: MAX_SPRINT_ISSUES + 3 }, (_, i) => ({
      ...base,
      key: `BIG-${i + 1}`,
      sprints: [12],
    }));
    const jira = await startFakeJira({ flavour: "server", issues });
    try {
      const { value } = await call(jira, "get_sprint_metrics", { sprint_id: 12 });
      expect(value).toContain(`Planned: ${MAX_SPRINT_ISSUES} issues`);
      expect(value).toContain(
        `(Counted over the first ${MAX_SPRINT_ISSUES} of the sprint's ${MAX_SPRINT_ISSUES + 3} issues only.)`,
      );
      // One sprint request, then pages of 50.
      expect(jira.requests).toHaveLength(1 + MAX_SPRINT_ISSUES / 50);
    } finally {
      await jira.close();
    }
  });
});
