import type { FakeJira } from "@agentllm/testkit";
import { seedUsers, startFakeJira } from "@agentllm/testkit";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JIRA_AGENT_DIRS, JIRA_MODEL } from "./jira-stack-fixture.ts";
import { joinedContent } from "./proxy-client.ts";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// A Jira token pasted into the chat, as a user of the project we re-create would, through the
// real LiteLLM proxy and streamed as Open WebUI asks: stored for that user, answered without the
// model, and gone from everything after the proxy: the model's requests, every log line, the
// answer. The next turn re-sends the original message, as Open WebUI does, and reads Jira with
// the stored token.

// The shape of a Data Center personal access token (base64 of `<id>:<20 random bytes>`), made up.
const TOKEN = Buffer.concat([
  Buffer.from("902318475562:"),
  Buffer.from("5eedc0ffee0ddba11d00dfa11ba5e5ca7f00d1e5", "hex"),
]).toString("base64");
const HEADERS = { "X-OpenWebUI-User-Id": "paster", "X-OpenWebUI-Chat-Id": "paste-chat" };

describe("a Jira token pasted into the chat, through the real proxy", () => {
  let jira: FakeJira;
  let fx: StackFixture;
  const lines: string[] = [];

  beforeAll(async () => {
    const user = { ...(seedUsers[0] as (typeof seedUsers)[number]), token: TOKEN };
    jira = await startFakeJira({ flavour: "server", users: [user] });
    fx = await startStackFixture({
      agents: { dirs: JIRA_AGENT_DIRS, models: [JIRA_MODEL] },
      logLevel: "debug",
      onLine: (service, line) => void lines.push(`[${service}] ${line}`),
    });
  });

  afterAll(async () => {
    await fx?.close();
    await jira?.close();
  });

  async function streamed(messages: OpenAI.ChatCompletionMessageParam[]): Promise<string> {
    const stream = await fx.client.chat.completions.create(
      { model: JIRA_MODEL, messages, stream: true },
      { headers: HEADERS },
    );
    return joinedContent(stream);
  }

  it("stores it for the user, answers without the model, and the next turn reads Jira with it", async () => {
    const pasted = `My Jira is ${jira.url} and my token is ${TOKEN}`;
    const asked = fx.gemini.requests.length;
    const answer = await streamed([{ role: "user", content: pasted }]);
    expect(answer).toContain("stored it encrypted");
    expect(answer).toContain("[Connect Jira](");
    expect(answer).not.toContain(TOKEN);
    expect(fx.gemini.requests.length).toBe(asked);

    fx.gemini.enqueue(
      { parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }] },
      { parts: ["Read it."] },
    );
    const next = await streamed([
      { role: "user", content: pasted },
      { role: "assistant", content: answer },
      { role: "user", content: "What is DEMO-1 about?" },
    ]);
    expect(next).toContain("Read it.");
    const reads = jira.requests.filter((request) => request.path.includes("/issue/DEMO-1"));
    expect(reads.map((request) => request.auth.userId)).toEqual([seedUsers[0]?.id]);

    expect(JSON.stringify(fx.gemini.requests.map((request) => request.body))).not.toContain(TOKEN);
    expect(JSON.stringify(fx.gemini.requests.map((request) => request.body))).toContain(
      "[Jira token removed]",
    );
    expect(lines.join("\n")).toContain("pasted credential");
    expect(lines.join("\n")).not.toContain(TOKEN);
  });

  it('then "disconnect Jira": the credential is gone, and the next Jira question gets a connect link', async () => {
    fx.gemini.enqueue(
      { parts: [{ functionCall: { name: "disconnect_service", args: { service: "jira" } } }] },
      { parts: ["Jira is disconnected."] },
    );
    expect(await streamed([{ role: "user", content: "Please disconnect Jira." }])).toContain(
      "Jira is disconnected.",
    );
    const sentBack = JSON.stringify(fx.gemini.requests.at(-1)?.body.contents?.at(-1));
    expect(sentBack).toContain("Jira is disconnected: the stored credential is deleted");

    fx.gemini.enqueue({
      parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }],
    });
    const asked = await streamed([{ role: "user", content: "And DEMO-1?" }]);
    expect(asked).toContain("[Connect Jira](");
  });
});
