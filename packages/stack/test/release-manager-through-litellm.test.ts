import { readFileSync } from "node:fs";
import {
  type FakeDrive,
  type FakeGoogle,
  RELEASE_TEAM_EMAIL,
  RELEASE_TEAM_GOOGLE_USER,
  RELEASE_WORKBOOK_CSV,
  RELEASE_WORKBOOK_SHEET_ID,
  releaseWorkbookFile,
  startFakeDrive,
  startFakeGoogle,
} from "@agentllm/testkit";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paths } from "../src/repo-paths.ts";
import { ConnectBrowser, connectLinkIn } from "./connect-browser.ts";
import { JIRA_MODEL, type JiraStackFixture, startJiraStackFixture } from "./jira-stack-fixture.ts";

// agno/release-manager as its users live it, through the real LiteLLM proxy: the fake Gemini is
// scripted with the calls the instructions ask for, and the assertions are on what the fake
// Jira and Drive received and what the model was given back. One user, Rita of the release
// team, goes through it all in order: Jira not connected (a link), connected on the page, a
// status question, a code-freeze draft from the shipped workbook; then Google Drive connected,
// the team's Sheet used, changed, and Drive down; last, a Jira comment she approves first.

const MODEL = "agno/release-manager";
const RITA = "user-rita-r1";
const CHAT = "chat-release-1";
const SHEET_URL = `https://docs.google.com/spreadsheets/d/${RELEASE_WORKBOOK_SHEET_ID}/edit`;
const STATUS_JQL = 'project = DEMO AND fixVersion = "4.4" ORDER BY key ASC';
const OPEN_JQL = 'project = DEMO AND fixVersion = "4.4" AND status != Done ORDER BY key ASC';
const FREEZE_VALUES = {
  version: "4.4",
  freeze_date: "2026-12-03",
  open_count: "10",
  blocker_count: "1",
};

type Turn = { parts: unknown[] };
const call = (name: string, args: Record<string, unknown>): Turn => ({
  parts: [{ functionCall: { name, args } }],
});
const say = (text: string): Turn => ({ parts: [{ text }] });

/**
 * The proxy config needs `agno/release-manager` until `just sync-models` has written it into
 * proxy_config.yaml; once it is there, adding it again would make two deployments of one model.
 */
const listed = readFileSync(paths.proxyConfig, "utf8").includes(`model_name: ${MODEL}\n`);

describe("agno/release-manager through the real LiteLLM proxy", () => {
  let fx: JiraStackFixture;
  let google: FakeGoogle;
  let drive: FakeDrive;
  let jiraAnswer = "";
  const history: OpenAI.ChatCompletionMessageParam[] = [];

  beforeAll(async () => {
    google = await startFakeGoogle({
      users: [
        { sub: "100000000000000000001", email: "ada@example.test", name: "Ada Lovelace" },
        RELEASE_TEAM_GOOGLE_USER,
      ],
    });
    google.setConsent({ allow: true, email: RELEASE_TEAM_EMAIL });
    drive = await startFakeDrive({ google });
    fx = await startJiraStackFixture({
      env: {
        GDRIVE_CLIENT_ID: "fake-google-client-id",
        GDRIVE_CLIENT_SECRET: "fake-google-client-secret",
        GOOGLE_OAUTH_BASE_URL: google.url,
        GOOGLE_DRIVE_BASE_URL: drive.url,
        RELEASE_MANAGER_SYSTEM_PROMPT_GDRIVE_URL: SHEET_URL,
        RELEASE_MANAGER_WORKBOOK_TTL_SECONDS: "1",
        RELEASE_MANAGER_WORKBOOK_WAIT_MS: "1000",
      },
      extraModels: listed ? [] : [MODEL],
    });
  }, 180_000);

  afterAll(async () => {
    await fx?.close();
    await drive?.close();
    await google?.close();
  });

  /** One streamed chat turn as Rita, with the model's turns scripted. */
  async function ask(question: string, ...turns: Turn[]): Promise<string> {
    fx.gemini.enqueue(...(turns as never[]));
    history.push({ role: "user", content: question });
    const stream = await fx.client.chat.completions.create(
      { model: MODEL, stream: true, messages: history },
      { headers: { "X-OpenWebUI-User-Id": RITA, "X-OpenWebUI-Chat-Id": CHAT } },
    );
    let answer = "";
    for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? "";
    history.push({ role: "assistant", content: answer });
    return answer;
  }

  /** What the model was given in its last request: the tool results, as JSON text. */
  const lastModelInput = () => JSON.stringify(fx.gemini.requests.at(-1)?.body.contents ?? []);
  const sheetReads = () =>
    drive.requests
      .filter((request) => request.path.includes(RELEASE_WORKBOOK_SHEET_ID))
      .map((request) => (request.path.endsWith("/export") ? "export" : "metadata"));
  const freezeDraftTurns = (draft: string): Turn[] => [
    call("get_workflow_instructions", { request: "draft the code freeze announcement for 4.4" }),
    call("get_slack_template", { name: "code_freeze_announcement", values: FREEZE_VALUES }),
    say(draft),
  ];

  it("is served by the proxy", async () => {
    const models = await fx.client.models.list();
    expect(models.data.map((model) => model.id)).toContain(MODEL);
    expect(JIRA_MODEL).toBe("agno/jira-test"); // the fixture's agent is there too, unused
  });

  it("(d) a release question without a Jira token: the workflow runs on, then the connect link", async () => {
    jiraAnswer = await ask(
      "What is the release status of 4.4?",
      call("get_workflow_instructions", { request: "What is the release status of 4.4?" }),
      call("get_jira_query_template", { name: "release_issues", values: { version: "4.4" } }),
      call("get_issues_stats", { jql: STATUS_JQL }),
    );
    expect(jiraAnswer).toContain("your Jira account");
    expect(connectLinkIn(jiraAnswer)).toMatch(
      new RegExp(`^${fx.stack.publicUrl}/connect/jira\\?ticket=`),
    );
    expect(fx.jira.requests).toHaveLength(0);
    // The workbook answered before Jira was needed, from the shipped defaults (no Drive grant).
    const input = lastModelInput();
    expect(input).toContain("release_status");
    expect(input).toContain(JSON.stringify(STATUS_JQL).slice(1, -1));
    expect(input).toContain("has not connected Google Drive");
  });

  it("(d, a) connected on the page, the same question is answered from the fake Jira as Rita", async () => {
    const browser = new ConnectBrowser();
    expect((await browser.open(connectLinkIn(jiraAnswer) ?? "")).status).toBe(200);
    const connected = await browser.submit({ serverUrl: fx.jira.url, token: fx.users[0].token });
    expect(connected.html).toContain("Connected: go back to the chat");

    const answer = await ask(
      "Done, I connected Jira. What is the release status of 4.4?",
      call("get_workflow_instructions", { request: "release status of 4.4" }),
      call("get_jira_query_template", { name: "release_issues", values: { version: "4.4" } }),
      call("get_issues_stats", { jql: STATUS_JQL }),
      say("4.4 has 10 issues; see the counts by status and type."),
    );
    expect(answer).toContain("4.4 has 10 issues; see the counts by status and type.");
    const searches = fx.jira.requests.filter((request) => request.path === "/rest/api/2/search");
    expect(searches.map((request) => request.auth.userId)).toEqual([fx.users[0].id]);
    const stats = JSON.stringify(`Issues matching ${STATUS_JQL}: 10`).slice(1, -1);
    expect(lastModelInput()).toContain(stats);
  });

  it("(b) a code-freeze announcement drafted from the shipped template, counts from Jira", async () => {
    const draft = "Here is the draft: Beacon 4.4 code freeze from 2026-12-03.";
    const answer = await ask(
      "Draft the code freeze announcement for 4.4, freeze on 2026-12-03.",
      call("get_workflow_instructions", { request: "draft the code freeze announcement for 4.4" }),
      call("get_jira_query_template", { name: "open_release_issues", values: { version: "4.4" } }),
      call("get_issues_stats", { jql: OPEN_JQL }),
      call("get_slack_template", { name: "code_freeze_announcement", values: FREEZE_VALUES }),
      say(draft),
    );
    expect(answer).toContain(draft);
    const input = lastModelInput();
    expect(input).toContain(JSON.stringify(`Issues matching ${OPEN_JQL}: 10`).slice(1, -1));
    expect(input).toContain("*Beacon 4.4: code freeze from 2026-12-03*");
    expect(input).toContain("Still open: 10 issues, of which 1 are blocker bugs.");
    expect(input).toContain('"source":"defaults"');
    expect(drive.requests).toHaveLength(0);
  });

  it("(c) with Google Drive connected, the team's Sheet is used, read as Rita", async () => {
    const linkAnswer = await ask(
      "Find our release workbook in Drive.",
      call("find_files", { query: "release workbook" }),
    );
    const link = connectLinkIn(linkAnswer, "Google Drive") ?? "";
    expect(link.startsWith(`${fx.stack.publicUrl}/connect/google_drive?ticket=`)).toBe(true);
    await connectGoogle(link);

    const draft = "Draft ready, from the team's workbook.";
    expect(
      await ask("Now the code freeze announcement for 4.4.", ...freezeDraftTurns(draft)),
    ).toContain(draft);
    const input = lastModelInput();
    expect(input).toContain("FROZEN: Beacon 4.4 is code-frozen from 2026-12-03.");
    expect(input).toContain("Post questions in #release-train.");
    expect(input).toContain('"source":"sheet"');
    expect(input).toContain("unknown kind 'team'");
    expect(sheetReads()).toEqual(["metadata", "export"]);
    expect(drive.requests.every((request) => request.authorization?.startsWith("Bearer "))).toBe(
      true,
    );
  });

  it("(c) the Sheet changes: after the TTL the change is used", async () => {
    const index = drive.files.findIndex((file) => file.id === RELEASE_WORKBOOK_SHEET_ID);
    drive.files[index] = {
      ...releaseWorkbookFile(),
      modifiedTime: "2026-11-30T07:00:00.000Z",
      exports: { "text/csv": RELEASE_WORKBOOK_CSV.replaceAll("#release-train", "#release-crew") },
    };
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // past the 1 s TTL
    await ask("And again, please.", ...freezeDraftTurns("Updated draft."));
    expect(lastModelInput()).toContain("Post questions in #release-crew.");
    expect(sheetReads()).toEqual(["metadata", "export", "metadata", "export"]);
  });

  it("(c) Drive down: the last good copy answers, and the reply is not held back", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    drive.failNext("hang");
    const answer = await ask("Once more, please.", ...freezeDraftTurns("Draft from the copy."));
    expect(answer).toContain("Draft from the copy.");
    const input = lastModelInput();
    expect(input).toContain('"source":"last good copy of the sheet"');
    expect(input).toContain("Google Drive did not answer within 1 s");
    expect(input).toContain("Post questions in #release-crew.");
    expect(fx.output()).toContain("release workbook: the team's Sheet could not be read");
    // Neither Rita's Jira token nor any Google access token the fakes saw reached a log line.
    const tokens = drive.requests.map((request) => request.authorization?.slice("Bearer ".length));
    for (const secret of [fx.users[0].token, ...new Set(tokens)]) {
      expect(fx.output()).not.toContain(secret ?? "never");
    }
  });

  it("(e) a comment on a release issue is asked for first, and written once when Rita approves", async () => {
    const note = "Code freeze for 4.4 starts on 2026-12-03.\nPlease land fixes before then.";
    const asked = await ask(
      "Note the code freeze date on DEMO-1.",
      call("add_comment", { issue_key: "DEMO-1", body: note }),
    );
    expect(asked).toContain("Add a comment to DEMO-1 in Jira");
    for (const line of note.split("\n")) expect(asked).toContain(line);
    expect(asked).toContain("Reply **approve**");
    expect(fx.jira.writes).toHaveLength(0);

    const done = await ask("approve", say("Commented on DEMO-1."));
    expect(done).toContain("Commented on DEMO-1.");
    expect(fx.jira.writes).toEqual([
      { kind: "comment", issueKey: "DEMO-1", userId: fx.users[0].id, body: note },
    ]);
    // A second "approve" is an ordinary message: nothing is written again.
    await ask("approve", say("There is nothing waiting for approval."));
    expect(fx.jira.writes).toHaveLength(1);
  });

  /** Rita's browser: the connect page's button, Google's consent (automatic), the callback. */
  async function connectGoogle(link: string): Promise<void> {
    const page = await fetch(link);
    const html = await page.text();
    const cookie = page.headers
      .getSetCookie()
      .find((line) => line.startsWith("agentllm_connect_csrf="))
      ?.split(";")[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const start = await fetch(link, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams({ ticket: new URL(link).searchParams.get("ticket") ?? "", csrf }),
    });
    expect(start.status).toBe(303);
    const consent = await fetch(start.headers.get("location") ?? "", { redirect: "manual" });
    const done = await fetch(consent.headers.get("location") ?? "");
    expect(await done.text()).toContain("Connected: go back to the chat");
  }
});
