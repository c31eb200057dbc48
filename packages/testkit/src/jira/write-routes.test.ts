import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textToAdf } from "./adf.ts";
import { seedUsers } from "./seed.ts";
import { type FakeJira, startFakeJira } from "./server.ts";
import { JIRA_SUMMARY_LIMIT, JIRA_TEXT_LIMIT } from "./write-routes.ts";

const dana = seedUsers[0] as (typeof seedUsers)[number];
const basic = `Basic ${Buffer.from(`${dana.emailAddress}:${dana.token}`).toString("base64")}`;

describe("fake Jira writes, Server/Data Center (v2, plain text)", () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startFakeJira({ flavour: "server" });
  });
  afterAll(() => jira.close());
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${jira.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${dana.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("adds a comment (201), records it, and a later read shows it", async () => {
    const response = await send("POST", "/rest/api/2/issue/DEMO-1/comment", {
      body: "Looks good.\n\nShip it.",
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ body: "Looks good.\n\nShip it." });
    expect(jira.writes.at(-1)).toEqual({
      kind: "comment",
      issueKey: "DEMO-1",
      userId: dana.id,
      body: "Looks good.\n\nShip it.",
    });
    const read = await fetch(`${jira.url}/rest/api/2/issue/DEMO-1?fields=comment`, {
      headers: { authorization: `Bearer ${dana.token}` },
    });
    const comments = (
      (await read.json()) as { fields: { comment: { comments: { body: string }[] } } }
    ).fields.comment.comments;
    expect(comments.at(-1)?.body).toBe("Looks good.\n\nShip it.");
  });

  it("takes a comment of exactly 32,767 characters and refuses one more with Jira's 400 shape", async () => {
    expect(
      (
        await send("POST", "/rest/api/2/issue/DEMO-2/comment", {
          body: "x".repeat(JIRA_TEXT_LIMIT),
        })
      ).status,
    ).toBe(201);
    const response = await send("POST", "/rest/api/2/issue/DEMO-2/comment", {
      body: "x".repeat(JIRA_TEXT_LIMIT + 1),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorMessages: [],
      errors: { comment: expect.stringContaining("32,767") },
    });
  });

  it("refuses an empty comment and answers 404 for an unknown issue", async () => {
    expect((await send("POST", "/rest/api/2/issue/DEMO-1/comment", { body: " " })).status).toBe(
      400,
    );
    expect((await send("POST", "/rest/api/2/issue/NOPE-9/comment", { body: "hi" })).status).toBe(
      404,
    );
  });

  it("creates an issue (201 with id, key, self) with the next key of its project", async () => {
    const response = await send("POST", "/rest/api/2/issue", {
      fields: {
        project: { key: "OPS" },
        issuetype: { name: "Task" },
        summary: "Rotate the backup keys",
        description: "Quarterly.",
        priority: { name: "High" },
        labels: ["security"],
      },
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { key: string; id: string; self: string };
    expect(created.key).toBe("OPS-9");
    expect(created.self).toContain(`/rest/api/2/issue/${created.id}`);
    expect(jira.writes.at(-1)).toMatchObject({ kind: "create", issueKey: "OPS-9" });
  });

  it("refuses a create without a summary, or with one over 255 characters, naming the field", async () => {
    const base = { project: { key: "OPS" }, issuetype: { name: "Task" } };
    const missing = await send("POST", "/rest/api/2/issue", { fields: base });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { errors: object }).errors).toHaveProperty("summary");
    const long = await send("POST", "/rest/api/2/issue", {
      fields: { ...base, summary: "s".repeat(JIRA_SUMMARY_LIMIT + 1) },
    });
    expect(long.status).toBe(400);
    const exact = await send("POST", "/rest/api/2/issue", {
      fields: { ...base, summary: "s".repeat(JIRA_SUMMARY_LIMIT) },
    });
    expect(exact.status).toBe(201);
  });

  it("updates fields (204) and refuses an unknown field (400) or an issue the user may not see (403)", async () => {
    expect(
      (await send("PUT", "/rest/api/2/issue/DEMO-3", { fields: { summary: "x" } })).status,
    ).toBe(403);
    const response = await send("PUT", "/rest/api/2/issue/DEMO-5", {
      fields: { summary: "New summary", labels: ["a", "b"] },
    });
    expect(response.status).toBe(204);
    expect(jira.writes.at(-1)).toEqual({
      kind: "update",
      issueKey: "DEMO-5",
      userId: dana.id,
      fields: { summary: "New summary", labels: ["a", "b"] },
    });
    const bad = await send("PUT", "/rest/api/2/issue/DEMO-5", { fields: { colour: "red" } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: object }).errors).toHaveProperty("colour");
  });
});

describe("fake Jira writes, Cloud (v3 takes ADF)", () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startFakeJira({ flavour: "cloud" });
  });
  afterAll(() => jira.close());

  it("adds an ADF comment and records its plain text; a plain string is refused on v3", async () => {
    const post = (body: unknown) =>
      fetch(`${jira.url}/rest/api/3/issue/DEMO-1/comment`, {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/json" },
        body: JSON.stringify({ body }),
      });
    expect((await post(textToAdf("First line\nsecond line\n\nNew paragraph"))).status).toBe(201);
    expect(jira.writes.at(-1)).toMatchObject({ body: "First line\nsecond line\n\nNew paragraph" });
    expect((await post("plain text")).status).toBe(400);
  });
});
