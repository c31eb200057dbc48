import type { PluginLogger, ToolContext } from "@agentllm/sdk";
import { type FakeJira, seedUsers, startFakeJira } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJiraToolkit } from "../jira-toolkit.ts";

// Every Jira request goes through the runtime's `ctx.fetch` (which traces it) when the toolkit
// was given no fetch of its own: reads, searches, the Agile API and writes.

const dana = seedUsers[0] as (typeof seedUsers)[number];
const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
type Tools = ReturnType<typeof createJiraToolkit>["tools"];

describe("toolkit-jira's HTTP goes through ctx.fetch", () => {
  let jira: FakeJira;
  const seen: string[] = [];
  beforeAll(async () => {
    jira = await startFakeJira({ flavour: "server" });
  });
  afterAll(() => jira.close());

  const run = async (name: keyof Tools, args: Record<string, unknown>) => {
    const ctx: ToolContext = {
      userId: "alice",
      sessionId: undefined,
      signal: new AbortController().signal,
      logger: quiet,
      settings: { get: async () => undefined, set: async () => {}, delete: async () => {} },
      credential: {
        connected: async () => true,
        get: async () => ({ serverUrl: jira.url, token: dana.token, email: "" }),
        rejected: async (reason) => {
          throw new Error(reason);
        },
      },
      fetch: (input, init) => {
        seen.push(`${init.method ?? "GET"} ${new URL(input).pathname}`);
        return fetch(input, init);
      },
    };
    const tool = createJiraToolkit({ defaultBaseUrl: () => undefined }).tools[name];
    // biome-ignore lint/suspicious/noExplicitAny: each tool has its own parameters
    return tool.execute((tool.parameters as any).parse(args), ctx);
  };

  it.each([
    ["get_issue", { issue_key: "DEMO-1" }, "GET /rest/api/2/issue/DEMO-1"],
    ["get_issues_stats", { jql: "project = DEMO" }, "POST /rest/api/2/search"],
    ["get_sprint_metrics", { sprint_id: 12 }, "GET /rest/agile/1.0/sprint/12"],
    [
      "add_comment",
      { issue_key: "DEMO-1", body: "Looks good" },
      "POST /rest/api/2/issue/DEMO-1/comment",
    ],
  ] as const)("%s", async (name, args, request) => {
    seen.length = 0;
    await run(name, args);
    expect(seen).toContain(request);
    expect(jira.requests.length).toBeGreaterThanOrEqual(seen.length);
  });
});
