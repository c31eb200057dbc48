import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { type AppDatabase, openDatabase, readSession } from "@agentllm/runtime";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/repo-paths.ts";
import { randomFernetKey } from "../src/start-stack.ts";
import { ConnectBrowser, connectLinkIn } from "./connect-browser.ts";
import { JIRA_MODEL, type JiraStackFixture, startJiraStackFixture } from "./jira-stack-fixture.ts";

// Issue 15's proofs on the whole stack, as a user lives them: the real LiteLLM proxy, the runtime
// with its encrypted vault and its connect page on the public listener, a fake Jira. A Jira
// question gets a link; a browser opens it and posts the form; the next message works; the
// planted token is then looked for everywhere it must not be; other users (by every id source
// the bridge accepts in header mode) get their own link, never the first user's Jira; and the
// credential survives a restart with a new key in front and a rotation to it.

const run = promisify(execFile);
const A = "user-ada-a1";
const B = "user-bea-b2";
const C = "user-cy-c3";
const CHAT = "chat-connect-1";
const QUESTION = "What is the status of DEMO-1?";
const SUMMARY = "DEMO-1: Export to CSV drops rows with non-ASCII names";
const WRONG_TOKEN = "wrong-jira-pat-0123456789abcdef";

type Identity = {
  readonly headers?: Record<string, string>;
  readonly user?: string;
  readonly metadata?: Record<string, string>;
};
const byHeader = (user: string, chat = CHAT): Identity => ({
  headers: { "X-OpenWebUI-User-Id": user, "X-OpenWebUI-Chat-Id": chat },
});

describe("the connect detour through the real proxy and the real connect page", () => {
  let fx: JiraStackFixture;
  let database: AppDatabase;
  const browserA = new ConnectBrowser();
  let firstAnswer = "";
  let firstLink = "";

  beforeAll(async () => {
    fx = await startJiraStackFixture();
    database = await openDatabase({ dataDir: fx.dataDir });
  }, 180_000);

  afterAll(async () => {
    await database?.close();
    await fx?.close();
  });

  const tokenA = () => fx.users[0].token;
  const tokenB = () => fx.users[1].token;

  /** One chat request through the proxy; the model is scripted to call get_issue first. */
  async function ask(
    who: Identity,
    messages: OpenAI.ChatCompletionMessageParam[],
    then: string[] = [],
  ): Promise<string> {
    fx.gemini.enqueue(
      { parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }] },
      ...then.map((text) => ({ parts: [{ text }] })),
    );
    const stream = await fx.client.chat.completions.create(
      {
        model: JIRA_MODEL,
        stream: true,
        messages,
        ...(who.user ? { user: who.user } : {}),
        ...(who.metadata ? { metadata: who.metadata } : {}),
      },
      { headers: who.headers ?? {} },
    );
    let answer = "";
    for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? "";
    return answer;
  }

  /** Which users have a Jira credential stored, straight from the table. */
  async function jiraRows(): Promise<{ user_id: string; updated_at: string; secrets: string }[]> {
    return database.db
      .selectFrom("credentials")
      .where("toolkit", "=", "jira")
      .select(["user_id", "updated_at", "secrets"])
      .orderBy("user_id")
      .execute();
  }

  /** Fake Jira's `/issue` reads, with the account each authenticated as. */
  function issueReads(): (string | undefined)[] {
    return fx.jira.requests
      .filter((request) => request.path.includes("/issue/"))
      .map((request) => request.auth.userId);
  }

  it("a Jira question gets the connect link, streamed, pointing at the public listener", async () => {
    firstAnswer = await ask(byHeader(A), [{ role: "user", content: QUESTION }]);
    expect(firstAnswer).toContain("your Jira account");
    firstLink = connectLinkIn(firstAnswer) ?? "";
    expect(firstLink.startsWith(`${fx.stack.publicUrl}/connect/jira?ticket=`)).toBe(true);
    expect(fx.jira.requests).toHaveLength(0);
  });

  it("a wrong token on the form: the page says so, keeps the form, and nothing is stored", async () => {
    const page = await browserA.open(firstLink);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`For the user <strong>${A}</strong>`);
    const refused = await browserA.submit({ serverUrl: fx.jira.url, token: WRONG_TOKEN });
    expect(refused.status).toBe(422);
    expect(refused.html).toContain("Jira did not accept this personal access token");
    expect(refused.html).toContain('name="field.token"');
    expect(await jiraRows()).toEqual([]);
    expect(fx.jira.requests.map((request) => request.path)).toEqual(["/rest/api/2/myself"]);
  });

  it("the right token: the Connected page, and the next chat message reads the issue as that user", async () => {
    const connected = await browserA.submit({ serverUrl: fx.jira.url, token: tokenA() });
    expect(connected.status).toBe(200);
    expect(connected.html).toContain("Connected: go back to the chat");
    expect((await jiraRows()).map((row) => row.user_id)).toEqual([A]);

    const answer = await ask(
      byHeader(A),
      [
        { role: "user", content: QUESTION },
        { role: "assistant", content: firstAnswer },
        { role: "user", content: "Done, I connected Jira. Try again please." },
      ],
      ["DEMO-1 is In Progress, assigned to Dana Reyes."],
    );
    expect(answer).toContain("DEMO-1 is In Progress, assigned to Dana Reyes.");
    expect(issueReads()).toEqual([fx.users[0].id]);
    expect(JSON.stringify(fx.gemini.requests.at(-1)?.body.contents)).toContain(SUMMARY);
  });

  it("the used link opened again (by anyone's browser) shows no form and changes nothing", async () => {
    const before = await jiraRows();
    const browserB = new ConnectBrowser();
    const page = await browserB.open(firstLink);
    expect(page.status).toBe(410);
    expect(page.html).toContain("This link was already used");
    expect(page.html).not.toContain("<form");
    // A forged post of that ticket (no page, no cookie) is refused the same way.
    const ticket = new URL(firstLink).searchParams.get("ticket") ?? "";
    const forged = await fetch(firstLink, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ticket, "field.token": tokenB() }).toString(),
    });
    expect(forged.status).toBe(410);
    expect(await jiraRows()).toEqual(before);
  });

  describe("user B, by every id source header mode accepts, never reaches A's Jira", () => {
    const sources: [string, (chat: string) => Identity][] = [
      ["X-OpenWebUI-User-Id", (chat) => byHeader(B, chat)],
      ["body user", (chat) => ({ user: B, headers: { "X-OpenWebUI-Chat-Id": chat } })],
      [
        "metadata.user_id",
        (chat) => ({ metadata: { user_id: B }, headers: { "X-OpenWebUI-Chat-Id": chat } }),
      ],
      // First found wins: A named by a later source does not count.
      ["the header, with A in body user", (chat) => ({ ...byHeader(B, chat), user: A })],
    ];

    it.each(sources)("B by %s gets B's own connect link", async (_source, identity) => {
      const reads = issueReads().length;
      const asked = fx.gemini.requests.length;
      const answer = await ask(identity(`chat-b-${_source}`), [
        { role: "user", content: QUESTION },
      ]);
      const link = connectLinkIn(answer);
      expect(link).toBeDefined();
      expect(link).not.toBe(firstLink);
      // What the model was told of B's connections: nothing of A's.
      const system = JSON.stringify(fx.gemini.requests[asked]?.body.systemInstruction);
      expect(system).toContain("Jira: not connected");
      expect(system).not.toContain("Dana Reyes");
      expect(issueReads()).toHaveLength(reads);
      // The link is for B: its page says so.
      const page = await new ConnectBrowser().open(link as string);
      expect(page.status).toBe(200);
      expect(page.html).toContain(`For the user <strong>${B}</strong>`);
    });
  });

  it("a link made for C, opened and posted by B's browser, stores nothing for B and nothing over A", async () => {
    const answer = await ask(byHeader(C, "chat-c"), [{ role: "user", content: QUESTION }]);
    const browserB = new ConnectBrowser();
    const page = await browserB.open(connectLinkIn(answer) as string);
    // The page names the user the link binds, before anything is typed.
    expect(page.html).toContain(`For the user <strong>${C}</strong>`);
    const rowA = (await jiraRows()).find((row) => row.user_id === A);
    await browserB.submit({ serverUrl: fx.jira.url, token: tokenB() });
    const rows = await jiraRows();
    expect(rows.map((row) => row.user_id)).toEqual([A, C]);
    expect(rows.find((row) => row.user_id === A)).toEqual(rowA);
  });

  it("A's credential still works and is still A's", async () => {
    fx.jira.reset();
    const answer = await ask(
      byHeader(A, "chat-a-again"),
      [{ role: "user", content: QUESTION }],
      ["DEMO-1 again."],
    );
    expect(answer).toContain("DEMO-1 again.");
    expect(issueReads()).toEqual([fx.users[0].id]);
  });

  it("survives a restart with a new key put in front, a rotation, and dropping the old key", async () => {
    const key1 = fx.stack.encryptionKey;
    const key2 = randomFernetKey();
    const secretsBefore = (await jiraRows()).find((row) => row.user_id === A)?.secrets;

    const works = async (chat: string) => {
      fx.jira.reset();
      const answer = await ask(byHeader(A, chat), [{ role: "user", content: QUESTION }], ["Read."]);
      expect(answer).toContain("Read.");
      expect(connectLinkIn(answer)).toBeUndefined();
      expect(issueReads()).toEqual([fx.users[0].id]);
    };

    await fx.stack.restartRuntime({ encryptionKey: `${key2},${key1}` });
    await works("chat-after-restart");

    // `just rotate-key`'s script on the stack's data directory, with the stack's key ring.
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", path.join(repoRoot, "packages/runtime/src/ops/rotate-key-main.ts")],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          AGENTLLM_DATA_DIR: fx.dataDir,
          AGENTLLM_TOKEN_ENCRYPTION_KEY: `${key2},${key1}`,
        },
      },
    );
    expect(stdout).toMatch(/2 credential\(s\) in .*: 2 re-encrypted with the first key/);
    expect((await jiraRows()).find((row) => row.user_id === A)?.secrets).not.toEqual(secretsBefore);

    await fx.stack.restartRuntime({ encryptionKey: key2 });
    await works("chat-after-rotation");
  });

  it("the planted token is in clear nowhere: database files, logs, model requests, session, pages", async () => {
    const planted = [tokenA(), tokenB(), WRONG_TOKEN];
    const files = readdirSync(fx.dataDir).filter((name) => name.startsWith("agentllm.db"));
    expect(files).toContain("agentllm.db");
    expect(files).toContain("agentllm.db-wal");
    for (const name of files) {
      const bytes = readFileSync(path.join(fx.dataDir, name));
      for (const secret of planted)
        expect(bytes.includes(secret), `${secret} in ${name}`).toBe(false);
    }
    const output = fx.output();
    // The logs are there to be searched: both processes wrote, the runtime at debug.
    expect(output).toContain("[runtime]");
    expect(output).toContain("[litellm]");
    expect(output).toContain("credential connected");
    // Every stored session, read as operators read them.
    const keys = await database.db
      .selectFrom("sessions")
      .select(["user_id as userId", "agent", "session_id as sessionId"])
      .execute();
    expect(keys).toContainEqual({ userId: A, agent: "jira-test", sessionId: CHAT });
    const session = JSON.stringify(
      await Promise.all(keys.map((key) => readSession(database.db, key))),
    );
    expect(session).toContain("get_issue");
    const modelRequests = JSON.stringify(fx.gemini.requests.map((request) => request.body));
    expect(modelRequests).toContain("get_issue");
    const pages = browserA.allHtml();
    expect(pages).toContain("Connected: go back to the chat");
    for (const secret of planted) {
      expect(output, "logs").not.toContain(secret);
      expect(session, "stored session").not.toContain(secret);
      expect(modelRequests, "model requests").not.toContain(secret);
      expect(pages, "pages").not.toContain(secret);
    }
  });
});
