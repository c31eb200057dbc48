import { seedUsers } from "@agentllm/testkit";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoFakes, startDemoFakes } from "../src/demo-fakes.ts";
import { ConnectBrowser, connectLinkIn } from "./connect-browser.ts";
import { JIRA_AGENT_DIRS, JIRA_MODEL } from "./jira-stack-fixture.ts";
import { joinedContent } from "./proxy-client.ts";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// What `just demo` promises a user of its Jira: the runtime on the demo's fakes (their settings
// as `stack demo` passes them), the connect link, the form with the URL left empty and the token
// the banner prints, and then the agent reading an issue from the fake Jira as that user.

const dana = seedUsers[0] as (typeof seedUsers)[number];
const HEADERS = { "X-OpenWebUI-User-Id": "demo-user", "X-OpenWebUI-Chat-Id": "demo-chat" };
const QUESTION = "What is DEMO-1 about?";

describe("the demo's fake Jira through the real proxy", () => {
  let fakes: DemoFakes;
  let fx: StackFixture;

  beforeAll(async () => {
    fakes = await startDemoFakes();
    fx = await startStackFixture({
      env: fakes.env,
      agents: { dirs: JIRA_AGENT_DIRS, models: [JIRA_MODEL] },
    });
  });

  afterAll(async () => {
    await fx?.close();
    await fakes?.close();
  });

  /** The model reads DEMO-1, then says `then` (a connect answer ends the turn before it). */
  async function ask(
    messages: OpenAI.ChatCompletionMessageParam[],
    then: string[] = [],
  ): Promise<string> {
    fx.gemini.enqueue(
      { parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }] },
      ...then.map((text) => ({ parts: [{ text }] })),
    );
    const stream = await fx.client.chat.completions.create(
      { model: JIRA_MODEL, stream: true, messages },
      { headers: HEADERS },
    );
    const text = await joinedContent(stream);
    return text;
  }

  it("connects with the printed token and no URL, then reads the issue from the fake Jira", async () => {
    const first = await ask([{ role: "user", content: QUESTION }]);
    const link = connectLinkIn(first) ?? "";
    expect(link.startsWith(`${fx.stack.publicUrl}/connect/jira?ticket=`)).toBe(true);

    const browser = new ConnectBrowser();
    expect((await browser.open(link)).status).toBe(200);
    const connected = await browser.submit({ serverUrl: "", token: dana.token });
    expect(connected.html).toContain("Connected: go back to the chat");

    const answer = await ask(
      [
        { role: "user", content: QUESTION },
        { role: "assistant", content: first },
        { role: "user", content: "Connected. Again please." },
      ],
      ["Here it is."],
    );
    expect(answer).toContain("Export to CSV drops rows with non-ASCII names");
    const reads = fakes.jira.requests.filter((request) => request.path.endsWith("/DEMO-1"));
    expect(reads.map((request) => request.auth.userId)).toEqual([dana.id]);
  });
});
