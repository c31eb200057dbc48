import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedIssues, seedUsers } from "./seed.ts";
import { type FakeJira, startFakeJira } from "./server.ts";

interface Page {
  issues: { key: string; fields: Record<string, { name?: string } | unknown> }[];
  nextPageToken?: string;
  isLast?: boolean;
  total?: number;
  startAt?: number;
  maxResults?: number;
  count?: number;
  errorMessages?: string[];
}

const dana = seedUsers[0] as (typeof seedUsers)[number];
const basic = `Basic ${Buffer.from(`${dana.emailAddress}:${dana.token}`).toString("base64")}`;
const visibleDemo = seedIssues.filter(
  (issue) => issue.key.startsWith("DEMO-") && !issue.forbiddenFor?.includes(dana.id),
).length;

describe("fake Jira search, Cloud", () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startFakeJira({ flavour: "cloud", searchPageLimit: 10 });
  });
  afterAll(() => jira.close());
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${jira.url}${path}`, {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Page };
  };
  const get = async (path: string) => {
    const response = await fetch(`${jira.url}${path}`, { headers: { authorization: basic } });
    return { status: response.status, body: (await response.json()) as Page };
  };

  it("pages /search/jql with nextPageToken, no total, the page capped at the limit", async () => {
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await post("/rest/api/3/search/jql", {
        jql: "project = DEMO ORDER BY key ASC",
        fields: ["summary", "status"],
        maxResults: 50,
        ...(token ? { nextPageToken: token } : {}),
      });
      expect(status).toBe(200);
      expect(body.total).toBeUndefined();
      expect(body.issues.length).toBeLessThanOrEqual(10);
      keys.push(...body.issues.map((issue) => issue.key));
      token = body.nextPageToken;
      expect(body.isLast).toBe(token === undefined);
      pages++;
    } while (token);
    expect(pages).toBe(Math.ceil(visibleDemo / 10));
    expect(keys).toHaveLength(visibleDemo);
    expect(keys.slice(0, 3)).toEqual(["DEMO-1", "DEMO-2", "DEMO-4"]); // DEMO-3 is forbidden to Dana
  });

  it("answers GET /search/jql too, with only the ids by default", async () => {
    const { status, body } = await get(
      `/rest/api/3/search/jql?jql=${encodeURIComponent("key = x")}`,
    );
    expect(status).toBe(400);
    expect(body.errorMessages?.[0]).toContain("Field 'key' does not exist");
    const ok = await get(
      `/rest/api/3/search/jql?jql=${encodeURIComponent("project = OPS")}&maxResults=2`,
    );
    expect(ok.body.issues).toHaveLength(2);
    expect(ok.body.issues[0]?.fields).toEqual({});
  });

  it("filters by the JQL subset: status in, type, priority, fixVersion, component, assignee, labels", async () => {
    const count = async (jql: string) =>
      (await post("/rest/api/3/search/approximate-count", { jql })).body.count;
    const demo = seedIssues.filter(
      (issue) => issue.key.startsWith("DEMO-") && issue !== seedIssues[2],
    );
    expect(await count("project = DEMO")).toBe(visibleDemo);
    expect(await count('project = DEMO AND status in ("To Do", Done)')).toBe(
      demo.filter((i) => i.status === "To Do" || i.status === "Done").length,
    );
    expect(await count("project = demo AND issuetype = bug AND priority = High")).toBe(
      demo.filter((i) => i.type === "Bug" && i.priority === "High").length,
    );
    expect(await count('fixVersion = "4.4" AND component = Backend')).toBe(
      demo.filter((i) => i.fixVersions?.includes("4.4") && i.components?.includes("Backend"))
        .length,
    );
    expect(await count("assignee = currentUser() AND project = OPS")).toBe(0);
    expect(await count("assignee = EMPTY AND project = DEMO")).toBe(
      demo.filter((i) => !i.assignee).length,
    );
    expect(await count("labels = customer AND status != Done")).toBe(
      demo.filter((i) => i.labels?.includes("customer") && i.status !== "Done").length,
    );
    expect(await count("project = DEMO AND type not in (Bug, Story)")).toBe(
      demo.filter((i) => i.type !== "Bug" && i.type !== "Story").length,
    );
  });

  it("orders by created, updated or key", async () => {
    const { body } = await post("/rest/api/3/search/jql", {
      jql: "project = OPS ORDER BY updated DESC",
      fields: ["updated"],
    });
    expect(body.issues.map((issue) => issue.key).slice(0, 2)).toEqual(["OPS-8", "OPS-7"]);
  });

  it("answers a JQL it does not understand, or an unbounded one, with Jira's 400", async () => {
    for (const [jql, message] of [
      ["project = NOPE", "The value 'NOPE' does not exist for the field 'project'."],
      ["project = DEMO OR status = Done", "only AND"],
      ["project ~ DEMO", "Expected operator"],
      ['summary ~ "x"', "Field 'summary' does not exist"],
      ["project = DEMO ORDER BY rank", "orders by created, updated or key"],
      ['project = "DEMO', "has not been completed"],
      ["project = DEMO %", "reserved JQL character"],
      ["", "Unbounded JQL queries are not allowed here."],
    ] as const) {
      const { status, body } = await post("/rest/api/3/search/jql", { jql });
      expect(status, jql).toBe(400);
      expect(body.errorMessages?.[0], jql).toContain(message);
    }
    expect(
      (await post("/rest/api/3/search/jql", { jql: "project = DEMO", nextPageToken: "x" })).status,
    ).toBe(400);
  });

  it("has removed /rest/api/{2,3}/search (410) and counts only by POST", async () => {
    expect((await get("/rest/api/3/search?jql=project%3DDEMO")).status).toBe(410);
    expect((await post("/rest/api/2/search", { jql: "project = DEMO" })).status).toBe(410);
    const response = await fetch(`${jira.url}/rest/api/3/search/approximate-count`, {
      headers: { authorization: basic },
    });
    expect(response.status).toBe(405);
  });

  it("lists a project's versions", async () => {
    const { status, body } = await get("/rest/api/3/project/DEMO/versions");
    expect(status).toBe(200);
    expect(body).toContainEqual(
      expect.objectContaining({ name: "4.2", released: true, releaseDate: "2026-09-15" }),
    );
    expect((await get("/rest/api/3/project/NOPE/versions")).status).toBe(404);
  });
});

describe("fake Jira search, Data Center", () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startFakeJira({ flavour: "server", searchPageLimit: 10 });
  });
  afterAll(() => jira.close());
  const bearer = { authorization: `Bearer ${dana.token}` };

  it("pages /rest/api/2/search with startAt, maxResults and total (GET and POST)", async () => {
    const first = (await (
      await fetch(
        `${jira.url}/rest/api/2/search?jql=${encodeURIComponent("project = DEMO")}&maxResults=50`,
        { headers: bearer },
      )
    ).json()) as Page;
    expect(first).toMatchObject({ startAt: 0, maxResults: 10, total: visibleDemo });
    expect(first.issues).toHaveLength(10);
    expect(first.issues[0]?.fields).toHaveProperty("summary"); // navigable fields by default
    const response = await fetch(`${jira.url}/rest/api/2/search`, {
      method: "POST",
      headers: { ...bearer, "content-type": "application/json" },
      body: JSON.stringify({ jql: "project = DEMO", startAt: 30, fields: ["summary"] }),
    });
    const last = (await response.json()) as Page;
    expect(last.issues).toHaveLength(visibleDemo - 30);
    // No ORDER BY: Jira's default, newest key first.
    expect(first.issues[0]?.key).toBe("DEMO-40");
    expect(last.issues.at(-1)?.key).toBe("DEMO-1");
  });

  it("has no /search/jql (that is Cloud's)", async () => {
    const response = await fetch(`${jira.url}/rest/api/2/search/jql?jql=project%3DDEMO`, {
      headers: bearer,
    });
    expect(response.status).toBe(404);
  });

  it("refuses a body that is not JSON", async () => {
    const response = await fetch(`${jira.url}/rest/api/2/search`, {
      method: "POST",
      headers: { ...bearer, "content-type": "application/json" },
      body: "{",
    });
    expect(response.status).toBe(400);
  });
});
