import { type FakeJira, seedIssues, seedUsers, startFakeJira } from "@agentllm/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jiraConnection } from "./jira-connection.ts";
import { MAX_SEARCH_ISSUES, searchIssues } from "./jira-search.ts";

const dana = seedUsers[0] as (typeof seedUsers)[number];
/** DEMO's issues Dana may see (DEMO-3 is forbidden to her). */
const demo = seedIssues.filter(
  (issue) => issue.key.startsWith("DEMO-") && !issue.forbiddenFor?.includes(dana.id),
).length;

for (const flavour of ["server", "cloud"] as const) {
  describe(`searchIssues (${flavour})`, () => {
    let jira: FakeJira;
    // Pages of 10 make the seed's few dozen issues span several pages.
    beforeAll(async () => {
      jira = await startFakeJira({ flavour, searchPageLimit: 10 });
    });
    afterAll(() => jira.close());
    const search = (jql: string, limit: number) => {
      jira.reset();
      const connection = jiraConnection(
        {
          serverUrl: jira.url,
          token: dana.token,
          email: flavour === "cloud" ? dana.emailAddress : "",
        },
        undefined,
      );
      return searchIssues(connection, jql, ["summary"], limit, {
        signal: new AbortController().signal,
      });
    };
    const searches = () => jira.requests.filter((r) => !r.path.endsWith("approximate-count"));
    const counts = () => jira.requests.filter((r) => r.path.endsWith("approximate-count"));

    it("reads every page when all the matches fit the limit, with an exact total", async () => {
      const found = await search("project = DEMO ORDER BY key ASC", 200);
      expect(found).toMatchObject({ total: demo, approximate: false });
      expect(found.issues).toHaveLength(demo);
      expect(searches()).toHaveLength(Math.ceil(demo / 10));
      expect(searches()[0]?.path).toBe(
        flavour === "cloud" ? "/rest/api/3/search/jql" : "/rest/api/2/search",
      );
      expect(counts()).toHaveLength(0);
      const keys = (found.issues as { key: string }[]).map((issue) => issue.key);
      expect(new Set(keys).size).toBe(demo);
    });

    it("stops at the limit and reports how many match in all", async () => {
      const found = await search("project = DEMO", 15);
      expect(found.issues).toHaveLength(15);
      expect(found.total).toBe(demo);
      expect(found.approximate).toBe(flavour === "cloud");
      expect(searches()).toHaveLength(2);
      // Cloud's search has no total: one approximate count, only when the issues do not all fit.
      expect(counts()).toHaveLength(flavour === "cloud" ? 1 : 0);
    });

    it("has a limit of 1 and a hard maximum", async () => {
      expect((await search("project = OPS", 1)).issues).toHaveLength(1);
      await expect(search("project = OPS", MAX_SEARCH_ISSUES + 1)).rejects.toThrow(RangeError);
      await expect(search("project = OPS", 0)).rejects.toThrow(RangeError);
      expect((await search("project = OPS", MAX_SEARCH_ISSUES)).issues).toHaveLength(8);
    });
  });
}
