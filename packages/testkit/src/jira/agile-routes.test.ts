import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGILE_LIST_PAGE_LIMIT, BOARD_NOT_FOUND, SPRINT_NOT_FOUND } from "./agile-routes.ts";
import { seedIssues, seedUsers } from "./seed.ts";
import { type FakeJira, startFakeJira } from "./server.ts";
import { CLOUD_SPRINT_FIELD, SERVER_SPRINT_FIELD } from "./sprint-field.ts";

// biome-ignore lint/suspicious/noExplicitAny: the tests read Jira's JSON loosely
type Json = any;
const dana = seedUsers[0] as (typeof seedUsers)[number];
const visible = seedIssues.filter((issue) => !issue.forbiddenFor?.includes(dana.id));
const inSprint = (id: number) => visible.filter((issue) => issue.sprints?.includes(id));

for (const flavour of ["server", "cloud"] as const) {
  describe(`fake Jira's Agile API (${flavour})`, () => {
    let jira: FakeJira;
    beforeAll(async () => {
      jira = await startFakeJira({ flavour, searchPageLimit: 2 });
    });
    afterAll(() => jira.close());
    const get = async (path: string) => {
      const authorization =
        flavour === "cloud"
          ? `Basic ${Buffer.from(`${dana.emailAddress}:${dana.token}`).toString("base64")}`
          : `Bearer ${dana.token}`;
      const response = await fetch(`${jira.url}${path}`, { headers: { authorization } });
      return { status: response.status, body: (await response.json()) as Json };
    };

    it("lists a project's boards", async () => {
      const { body } = await get("/rest/agile/1.0/board?projectKeyOrId=demo");
      expect(body).toMatchObject({ startAt: 0, total: 1, isLast: true });
      expect(body.values).toEqual([
        expect.objectContaining({ id: 1, name: "DEMO board", type: "scrum" }),
      ]);
      expect(body.values[0].location.projectKey).toBe("DEMO");
    });

    it("pages a board's sprints with startAt, maxResults and isLast, filtered by state", async () => {
      const first = await get("/rest/agile/1.0/board/1/sprint?maxResults=50");
      expect(first.body).toMatchObject({ startAt: 0, maxResults: 2, isLast: false });
      expect(first.body.values.map((s: Json) => s.id)).toEqual([10, 11]);
      expect(first.body.total).toBeUndefined();
      const second = await get("/rest/agile/1.0/board/1/sprint?startAt=2");
      expect(second.body.isLast).toBe(true);
      expect(second.body.values.map((s: Json) => [s.id, s.state])).toEqual([
        [12, "active"],
        [13, "future"],
      ]);
      const active = await get("/rest/agile/1.0/board/1/sprint?state=active,future");
      expect(active.body.values.map((s: Json) => s.id)).toEqual([12, 13]);
      expect(active.body.values[0]).toMatchObject({
        name: "DEMO Sprint 12",
        originBoardId: 1,
        startDate: "2026-11-23T09:00:00.000Z",
      });
      expect((await get("/rest/agile/1.0/board/1/sprint?state=done")).status).toBe(400);
    });

    it("refuses sprints of a kanban board (400) and of an unknown board (404)", async () => {
      const kanban = await get("/rest/agile/1.0/board/2/sprint");
      expect(kanban).toEqual({
        status: 400,
        body: { errorMessages: ["The board does not support sprints"], errors: {} },
      });
      const unknown = await get("/rest/agile/1.0/board/99/sprint");
      expect(unknown.status).toBe(404);
      expect(unknown.body.errorMessages).toEqual([BOARD_NOT_FOUND]);
    });

    it("gives one sprint, 404 for an unknown one", async () => {
      expect((await get("/rest/agile/1.0/sprint/11")).body).toMatchObject({
        id: 11,
        state: "closed",
        completeDate: "2026-11-20T16:45:00.000Z",
      });
      const unknown = await get("/rest/agile/1.0/sprint/99");
      expect(unknown.status).toBe(404);
      expect(unknown.body.errorMessages).toEqual([SPRINT_NOT_FOUND]);
    });

    it("pages a sprint's issues with a total, narrowed by jql", async () => {
      const all = inSprint(12);
      const page = await get("/rest/agile/1.0/sprint/12/issue?fields=summary,status&startAt=2");
      expect(page.body).toMatchObject({ startAt: 2, maxResults: 2, total: all.length });
      expect(Object.keys(page.body.issues[0].fields).sort()).toEqual(["status", "summary"]);
      const bugs = await get(
        `/rest/agile/1.0/sprint/12/issue?jql=${encodeURIComponent("issuetype = Bug")}`,
      );
      expect(bugs.body.total).toBe(all.filter((issue) => issue.type === "Bug").length);
      // A closed sprint still lists the issues that moved on to the next one.
      const closed = await get("/rest/agile/1.0/sprint/11/issue?fields=status");
      expect(closed.body.total).toBe(inSprint(11).length);
      expect(inSprint(11).some((issue) => issue.sprints?.includes(12))).toBe(true);
    });

    it("puts sprints in the issue's sprint field, in the flavour's form", async () => {
      const issue = (await get(`/rest/api/2/issue/DEMO-1?fields=*all`)).body;
      if (flavour === "cloud") {
        expect(issue.fields[CLOUD_SPRINT_FIELD]).toEqual([
          expect.objectContaining({ id: 11, name: "DEMO Sprint 11", state: "closed", boardId: 1 }),
          expect.objectContaining({ id: 12, name: "DEMO Sprint 12", state: "active", boardId: 1 }),
        ]);
      } else {
        const [closed, active] = issue.fields[SERVER_SPRINT_FIELD] as string[];
        expect(closed).toMatch(
          /^com\.atlassian\.greenhopper\.service\.sprint\.Sprint@[0-9a-f]+\[id=11,rapidViewId=1,state=CLOSED,name=DEMO Sprint 11,/,
        );
        expect(active).toContain("id=12,rapidViewId=1,state=ACTIVE,name=DEMO Sprint 12,");
        expect(active).toContain("completeDate=<null>");
      }
      const backlog = (await get(`/rest/api/2/issue/DEMO-2?fields=*all`)).body;
      expect(backlog.fields[flavour === "cloud" ? CLOUD_SPRINT_FIELD : SERVER_SPRINT_FIELD]).toBe(
        null,
      );
    });

    it("searches by sprint id, name, openSprints() and closedSprints()", async () => {
      const count = async (jql: string) => {
        const path =
          flavour === "cloud"
            ? `/rest/api/3/search/approximate-count`
            : `/rest/api/2/search?maxResults=0&jql=${encodeURIComponent(jql)}`;
        if (flavour === "server") return (await get(path)).body.total as number;
        const authorization = `Basic ${Buffer.from(`${dana.emailAddress}:${dana.token}`).toString("base64")}`;
        const response = await fetch(`${jira.url}${path}`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: JSON.stringify({ jql }),
        });
        return ((await response.json()) as Json).count as number;
      };
      expect(await count("sprint = 12")).toBe(inSprint(12).length);
      expect(await count('sprint = "DEMO Sprint 12" AND component = Backend')).toBe(
        inSprint(12).filter((issue) => issue.components?.includes("Backend")).length,
      );
      const open = visible.filter((i) => i.sprints?.some((id) => id === 12 || id === 13));
      expect(await count("project = DEMO AND sprint in openSprints()")).toBe(open.length);
      expect(await count("project = DEMO AND sprint = EMPTY")).toBe(
        visible.filter((i) => i.key.startsWith("DEMO-") && !i.sprints?.length).length,
      );
      const closed = visible.filter((i) => i.sprints?.some((id) => id === 10 || id === 11));
      expect(await count("sprint in closedSprints()")).toBe(closed.length);
      expect(await count("project = DEMO AND sprint not in openSprints()")).toBe(
        visible.filter((i) => i.key.startsWith("DEMO-")).length - open.length,
      );
      const unknown = await get(`/rest/api/2/search?jql=${encodeURIComponent("sprint = 99")}`);
      if (flavour === "server") {
        expect(unknown.status).toBe(400);
        expect(unknown.body.errorMessages).toEqual([
          "The value '99' does not exist for the field 'sprint'.",
        ]);
      }
    });
  });
}

describe("fake Jira's Agile API limits", () => {
  it(`lists at most ${AGILE_LIST_PAGE_LIMIT} sprints a page, and refuses a bad maxResults or startAt`, async () => {
    const sprints = Array.from({ length: AGILE_LIST_PAGE_LIMIT + 1 }, (_, i) => ({
      id: 100 + i,
      boardId: 1,
      name: `S${i}`,
      state: "closed" as const,
    }));
    const jira = await startFakeJira({ flavour: "server", sprints });
    try {
      const get = async (query: string) => {
        const response = await fetch(`${jira.url}/rest/agile/1.0/board/1/sprint${query}`, {
          headers: { authorization: `Bearer ${dana.token}` },
        });
        return { status: response.status, body: (await response.json()) as Json };
      };
      const first = await get("?maxResults=1000");
      expect(first.body.values).toHaveLength(AGILE_LIST_PAGE_LIMIT);
      expect(first.body.isLast).toBe(false);
      const last = await get(`?startAt=${AGILE_LIST_PAGE_LIMIT}`);
      expect(last.body.values).toHaveLength(1);
      expect(last.body.isLast).toBe(true);
      expect((await get("?maxResults=-1")).status).toBe(400);
      expect((await get("?startAt=x")).status).toBe(400);
    } finally {
      await jira.close();
    }
  });
});
