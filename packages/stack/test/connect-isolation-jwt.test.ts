import { randomBytes } from "node:crypto";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUserToken } from "../../../scripts/user-token.ts";
import { ConnectBrowser, connectLinkIn } from "./connect-browser.ts";
import { JIRA_MODEL, type JiraStackFixture, startJiraStackFixture } from "./jira-stack-fixture.ts";

// In JWT identity mode the only user id is the signed token's subject: user B, signed in as B,
// who also names A in every other place the bridge reads an id in header mode, still gets B's
// own view; a caller with no token is anonymous. A's credential is connected through the real
// page first, so there is something to reach.

const SECRET = randomBytes(32).toString("base64url");
const A = "jwt-user-ada";
const B = "jwt-user-bea";
const QUESTION = "What is the status of DEMO-1?";

describe("credentials in JWT identity mode: forged ids reach nobody's Jira", () => {
  let fx: JiraStackFixture;

  beforeAll(async () => {
    fx = await startJiraStackFixture({ env: { AGENTLLM_IDENTITY_JWT_SECRET: SECRET } });
  }, 180_000);

  afterAll(async () => {
    await fx?.close();
  });

  async function ask(
    headers: Record<string, string>,
    extra: { user?: string; metadata?: Record<string, string> } = {},
    then: string[] = [],
  ): Promise<string> {
    fx.gemini.enqueue(
      { parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }] },
      ...then.map((text) => ({ parts: [{ text }] })),
    );
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: QUESTION }];
    const reply = await fx.client.chat.completions.create(
      { model: JIRA_MODEL, messages, ...extra },
      { headers },
    );
    return reply.choices[0]?.message.content ?? "";
  }

  const signedAs = (user: string, chat: string) => ({
    "X-OpenWebUI-User-Jwt": signUserToken(user, SECRET),
    "X-OpenWebUI-Chat-Id": chat,
  });
  const issueReads = () =>
    fx.jira.requests.filter((r) => r.path.includes("/issue/")).map((r) => r.auth.userId);

  it("A, signed in, connects Jira through the page and reads the issue", async () => {
    const first = await ask(signedAs(A, "chat-a"));
    const browser = new ConnectBrowser();
    const page = await browser.open(connectLinkIn(first) as string);
    expect(page.html).toContain(`For the user <strong>${A}</strong>`);
    const done = await browser.submit({ serverUrl: fx.jira.url, token: fx.users[0].token });
    expect(done.html).toContain("Connected: go back to the chat");
    const answer = await ask(signedAs(A, "chat-a-2"), {}, ["Read as A."]);
    expect(answer).toContain("Read as A.");
    expect(issueReads()).toEqual([fx.users[0].id]);
  });

  it("B, signed in as B and naming A in the header, body user and metadata, gets B's own link", async () => {
    fx.jira.reset();
    const asked = fx.gemini.requests.length;
    const answer = await ask(
      { ...signedAs(B, "chat-b"), "X-OpenWebUI-User-Id": A },
      { user: A, metadata: { user_id: A } },
    );
    const page = await new ConnectBrowser().open(connectLinkIn(answer) as string);
    expect(page.html).toContain(`For the user <strong>${B}</strong>`);
    expect(JSON.stringify(fx.gemini.requests[asked]?.body.systemInstruction)).toContain(
      "Jira: not connected",
    );
    expect(issueReads()).toEqual([]);
  });

  it("no token, A named in the header: anonymous, told to sign in, never A's Jira", async () => {
    fx.jira.reset();
    const answer = await ask(
      { "X-OpenWebUI-User-Id": A, "X-OpenWebUI-Chat-Id": "chat-forged" },
      { user: A, metadata: { user_id: A } },
    );
    expect(answer).toContain("Jira needs a signed-in user");
    expect(connectLinkIn(answer)).toBeUndefined();
    expect(issueReads()).toEqual([]);
  });

  it("the planted tokens reached no log", () => {
    for (const user of fx.users) expect(fx.output()).not.toContain(user.token);
  });
});
