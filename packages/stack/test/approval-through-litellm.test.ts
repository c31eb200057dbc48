import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, loadConfig, type RunningRuntime, startRuntime } from "@agentllm/runtime";
import { MemoryCredentialVault } from "@agentllm/runtime/testing";
import {
  type FakeGemini,
  type FakeJira,
  seedUsers,
  startFakeGemini,
  startFakeJira,
} from "@agentllm/testkit";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildService } from "../src/child-service.ts";
import { randomFernetKey } from "../src/start-stack.ts";
import { startProxyClient } from "./proxy-client.ts";
import { proxyConfigWithModels } from "./stack-fixture.ts";

// Approval before side effects through the real LiteLLM proxy: the Jira fixture agent asks to
// comment, the user approves (or declines) in the next message, and the fake Jira shows what
// was written. The runtime runs in this process so the test can plant the Jira credential.

const AGENTS_DIR = fileURLToPath(new URL("./fixtures/agents", import.meta.url));
const MODEL = "agno/jira-test";
const USER = "approval-user-1";
const dana = seedUsers[0] as (typeof seedUsers)[number];
const RUNTIME_TOKEN = "approval-runtime-token";
const MASTER_KEY = "sk-approval-test";
const COMMENT =
  "Verified on staging: the CSV export keeps names like Zoë and Łukasz.\n\nClosing after the 4.4 release.";

describe("approval before a Jira comment, through the real LiteLLM proxy", () => {
  let gemini: FakeGemini;
  let jira: FakeJira;
  let runtime: RunningRuntime;
  let proxy: ChildService;
  let client: OpenAI;
  let workDir: string;
  const vault = new MemoryCredentialVault();
  const logLines: string[] = [];

  beforeAll(async () => {
    gemini = await startFakeGemini({ port: 0 });
    jira = await startFakeJira({ flavour: "server" });
    workDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-approval-"));
    const config = loadConfig({
      AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
      GEMINI_API_KEY: "fake-gemini-key",
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      AGENTLLM_RUNTIME_PORT: "0",
      AGENTLLM_DATA_DIR: path.join(workDir, "data"),
      AGENTLLM_AGENT_DIRS: AGENTS_DIR,
      AGENTLLM_LOG_LEVEL: "debug",
      AGENTLLM_TOKEN_ENCRYPTION_KEY: randomFernetKey(),
      AGENTLLM_PUBLIC_PORT: "0",
    });
    runtime = await startRuntime(config, {
      logger: createLogger("debug", { write: (line: string) => void logLines.push(line) }),
      vault,
    });
    await vault.put(USER, "jira", {
      kind: "api-token",
      secrets: { token: dana.token },
      metadata: { serverUrl: jira.url, flavour: "server", account: dana.displayName },
    });
    const proxyConfig = proxyConfigWithModels(workDir, [MODEL]);
    ({ proxy, client } = await startProxyClient({
      runtimeUrl: runtime.url,
      runtimeToken: RUNTIME_TOKEN,
      masterKey: MASTER_KEY,
      geminiApiKey: "fake-gemini-key",
      proxyConfig,
      onLine: (line) => void logLines.push(line),
    }));
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await runtime?.close();
    await jira?.close();
    await gemini?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  const headersFor = (chat: string) => ({
    "X-OpenWebUI-User-Id": USER,
    "X-OpenWebUI-Chat-Id": chat,
  });
  const question = "Comment on DEMO-1 that the fix is verified on staging.";
  const askToComment = {
    parts: [
      { functionCall: { name: "add_comment", args: { issue_key: "DEMO-1", body: COMMENT } } },
    ],
  };

  type Message = { role: "user" | "assistant"; content: string };
  async function send(chat: string, messages: Message[], stream: boolean): Promise<string> {
    if (!stream) {
      const reply = await client.chat.completions.create(
        { model: MODEL, messages },
        { headers: headersFor(chat) },
      );
      return reply.choices[0]?.message.content ?? "";
    }
    const chunks = await client.chat.completions.create(
      { model: MODEL, stream: true, messages },
      { headers: headersFor(chat) },
    );
    let text = "";
    for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? "";
    return text;
  }

  let approvedHistory: Message[] = [];

  it("streamed: asks first with the exact comment, writes nothing, then comments once when approved", async () => {
    gemini.reset();
    jira.reset();
    gemini.enqueue(askToComment);
    const asked = await send("approval-chat-1", [{ role: "user", content: question }], true);
    expect(asked).toContain("**Approval needed.**");
    expect(asked).toContain("Add a comment to DEMO-1 in Jira");
    for (const line of COMMENT.split("\n")) expect(asked).toContain(line);
    expect(asked).toContain("Reply **approve**");
    expect(jira.writes).toEqual([]);
    expect(jira.requests).toHaveLength(0);
    expect(gemini.requests).toHaveLength(1);

    gemini.enqueue({ parts: [{ text: "Done: the comment is on DEMO-1." }] });
    approvedHistory = [
      { role: "user", content: question },
      { role: "assistant", content: asked },
      { role: "user", content: "approve" },
    ];
    const answer = await send("approval-chat-1", approvedHistory, true);
    expect(answer).toContain("Done: the comment is on DEMO-1.");
    expect(jira.writes).toEqual([
      { kind: "comment", issueKey: "DEMO-1", userId: dana.id, body: COMMENT },
    ]);
    // The model continued with the real result, after the resumed call.
    const response = gemini.requests[1]?.body.contents
      ?.flatMap((content) => content.parts ?? [])
      .filter((part) => part.functionResponse?.name === "add_comment")
      .at(-1);
    expect(JSON.stringify(response?.functionResponse?.response)).toContain("DEMO-1");
    expect(logLines.join("\n")).not.toContain(dana.token);
  }, 60_000);

  it("a replayed approval (the same request sent again) writes nothing more", async () => {
    gemini.reset();
    gemini.enqueue({ parts: [{ text: "There is nothing waiting for approval." }] });
    const answer = await send("approval-chat-1", approvedHistory, false);
    expect(answer).toContain("nothing waiting");
    expect(jira.writes).toHaveLength(1);
  }, 60_000);

  it("not streamed: approved once, the comment is written once with the exact text", async () => {
    gemini.reset();
    jira.reset();
    gemini.enqueue(askToComment);
    const asked = await send("approval-chat-2", [{ role: "user", content: question }], false);
    expect(asked).toContain("**Approval needed.**");
    gemini.enqueue({ parts: [{ text: "Commented." }] });
    await send(
      "approval-chat-2",
      [
        { role: "user", content: question },
        { role: "assistant", content: asked },
        { role: "user", content: "yes" },
      ],
      false,
    );
    expect(jira.writes).toEqual([
      { kind: "comment", issueKey: "DEMO-1", userId: dana.id, body: COMMENT },
    ]);
  }, 60_000);

  it.each([true, false])(
    "declined (streamed: %s): nothing is written and the model hears so",
    async (stream) => {
      gemini.reset();
      jira.reset();
      const chat = `approval-decline-${stream}`;
      gemini.enqueue(askToComment);
      const asked = await send(chat, [{ role: "user", content: question }], stream);
      gemini.enqueue({ parts: [{ text: "Understood, no comment." }] });
      const answer = await send(
        chat,
        [
          { role: "user", content: question },
          { role: "assistant", content: asked },
          { role: "user", content: "decline" },
        ],
        stream,
      );
      expect(answer).toContain("Understood, no comment.");
      expect(jira.writes).toEqual([]);
      expect(jira.requests).toHaveLength(0);
      expect(JSON.stringify(gemini.requests[1]?.body.contents)).toContain("declined");
    },
    60_000,
  );
});
