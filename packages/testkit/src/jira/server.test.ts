import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUE_NOT_FOUND } from "./jira-error.ts";
import { seedUsers } from "./seed.ts";
import { type FakeJira, MAX_RESPONSE_DELAY_MS, startFakeJira } from "./server.ts";

/** What the tests read of Jira's JSON. */
interface Body {
  key?: string;
  id?: string;
  errorMessages?: string[];
  fields: {
    description: string & { type?: string; content: { type: string }[] };
    comment: { total: number; comments: { body: { type: string } }[] };
  };
}
const json = async (response: Response) => (await response.json()) as Body;

const dana = seedUsers[0] as (typeof seedUsers)[number];
const basic = (email: string, token: string) =>
  `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`;

describe("fake Jira, Server/Data Center", () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startFakeJira({ flavour: "server" });
  });
  afterAll(() => jira.close());
  const get = (path: string, token = dana.token) =>
    fetch(`${jira.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  it("answers /myself for a personal access token, in Server's user shape", async () => {
    const response = await get("/rest/api/2/myself");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      name: dana.id,
      key: dana.id,
      displayName: "Dana Reyes",
    });
    expect(jira.requests.at(-1)?.auth).toEqual({ scheme: "Bearer", userId: dana.id });
  });

  it("refuses a wrong token with 401 and Seraph's reason header", async () => {
    const response = await get("/rest/api/2/myself", "wrong");
    expect(response.status).toBe(401);
    expect(response.headers.get("x-seraph-loginreason")).toBe("AUTHENTICATED_FAILED");
    expect((await json(response)).errorMessages).toHaveLength(1);
  });

  it("has no v3", async () => {
    expect((await get("/rest/api/3/myself")).status).toBe(404);
  });

  it("gives an issue with wiki-markup description, comments, and only the fields asked for", async () => {
    const full = await json(await get("/rest/api/2/issue/DEMO-1"));
    expect(full).toMatchObject({ key: "DEMO-1", id: "10000" });
    expect(full.fields.description).toContain("* Export the list to CSV");
    expect(full.fields.comment.total).toBe(2);
    const some = await json(await get("/rest/api/2/issue/DEMO-1?fields=summary,status"));
    expect(Object.keys(some.fields).sort()).toEqual(["status", "summary"]);
    expect(jira.requests.at(-1)?.query).toEqual({ fields: "summary,status" });
  });

  it("answers 404 and 403 in Jira's error shape", async () => {
    const missing = await get("/rest/api/2/issue/NOPE-9");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errorMessages: [ISSUE_NOT_FOUND], errors: {} });
    const forbidden = await get("/rest/api/2/issue/DEMO-3");
    expect(forbidden.status).toBe(403);
  });

  it("plays a queued 429 with Retry-After, then answers normally", async () => {
    jira.failNext({ status: 429, retryAfterSeconds: 7 });
    const limited = await get("/rest/api/2/myself");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((await get("/rest/api/2/myself")).status).toBe(200);
  });
});

describe("fake Jira, Cloud", () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startFakeJira({ flavour: "cloud" });
  });
  afterAll(() => jira.close());
  const get = (path: string, auth = basic(dana.emailAddress, dana.token)) =>
    fetch(`${jira.url}${path}`, { headers: { authorization: auth } });

  it("signs in with Basic email:api-token and answers in Cloud's user shape", async () => {
    const body = await json(await get("/rest/api/3/myself"));
    expect(body).toMatchObject({ accountId: dana.id, accountType: "atlassian" });
  });

  it("refuses a Bearer token and a wrong email with Cloud's plain-text 401", async () => {
    for (const auth of [`Bearer ${dana.token}`, basic("eve@example.com", dana.token)]) {
      const response = await get("/rest/api/3/myself", auth);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe("Client must be authenticated to access this resource.");
    }
  });

  it("gives v3 descriptions and comments in Atlassian Document Format", async () => {
    const issue = await json(await get("/rest/api/3/issue/DEMO-1"));
    expect(issue.fields.description).toMatchObject({ type: "doc", version: 1 });
    expect(issue.fields.description.content.map((n: { type: string }) => n.type)).toEqual([
      "paragraph",
      "paragraph",
      "bulletList",
    ]);
    expect(issue.fields.comment.comments[0]?.body.type).toBe("doc");
    const v2 = await json(await get("/rest/api/2/issue/DEMO-1"));
    expect(typeof v2.fields.description).toBe("string");
  });
});

describe("fake Jira's response delay", () => {
  it("refuses a delay past the limit, or not a whole number, naming the option", async () => {
    for (const responseDelayMs of [MAX_RESPONSE_DELAY_MS + 1, -1, 1.5]) {
      await expect(startFakeJira({ flavour: "server", responseDelayMs })).rejects.toThrow(
        /responseDelayMs must be a whole number of milliseconds from 0 to 60000/,
      );
    }
  });

  it("accepts the limit, and a delayed fake answers as an undelayed one", async () => {
    const slowest = await startFakeJira({
      flavour: "server",
      responseDelayMs: MAX_RESPONSE_DELAY_MS,
    });
    await slowest.close();
    const jira = await startFakeJira({ flavour: "server", responseDelayMs: 5 });
    try {
      const response = await fetch(`${jira.url}/rest/api/2/issue/DEMO-1`, {
        headers: { authorization: `Bearer ${dana.token}` },
      });
      expect(response.status).toBe(200);
      expect((await json(response)).key).toBe("DEMO-1");
    } finally {
      await jira.close();
    }
  });
});
