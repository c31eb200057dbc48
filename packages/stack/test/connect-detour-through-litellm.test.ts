import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type ConnectLinks,
  createLogger,
  loadConfig,
  type RunningRuntime,
  startRuntime,
} from "@agentllm/runtime";
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

// The connect detour through the real LiteLLM proxy, the runtime's side of it. The runtime runs
// in this process so the test can hold its vault (an in-memory one, to plant and revoke
// credentials directly) and its connect links; LiteLLM with the bridge runs as in production.
// connect-through-the-page.test.ts runs the same detour with the encrypted vault and the page.

const AGENTS_DIR = fileURLToPath(new URL("./fixtures/agents", import.meta.url));
const MODEL = "agno/jira-test";
const USER = "jira-user-1";
const CHAT = "jira-chat-1";
const dana = seedUsers[0] as (typeof seedUsers)[number];
const RUNTIME_TOKEN = "connect-detour-runtime-token";
const MASTER_KEY = "sk-connect-detour-test";

/** Links as the connect pages would make them: one per user and toolkit, recorded. */
class RecordedLinks implements ConnectLinks {
  readonly made: string[] = [];
  async linkFor(userId: string, toolkit: string): Promise<string> {
    this.made.push(`${userId}/${toolkit}`);
    return `https://agents.example/connect/${toolkit}?ticket=t-${this.made.length}`;
  }
}

describe("the connect detour through the real LiteLLM proxy", () => {
  let gemini: FakeGemini;
  let jira: FakeJira;
  let runtime: RunningRuntime;
  let proxy: ChildService;
  let client: OpenAI;
  let workDir: string;
  const vault = new MemoryCredentialVault();
  const links = new RecordedLinks();
  const logLines: string[] = [];

  beforeAll(async () => {
    gemini = await startFakeGemini({ port: 0 });
    jira = await startFakeJira({ flavour: "server" });
    workDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-connect-"));
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
      connectLinks: links,
    });
    // The repository's proxy config with this test's agent added.
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

  const headers = { "X-OpenWebUI-User-Id": USER, "X-OpenWebUI-Chat-Id": CHAT };
  const firstQuestion = "What is the status of DEMO-1?";
  let firstAnswer = "";

  it("answers the first question with a connect link, streamed, without asking the model again", async () => {
    gemini.enqueue({
      parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }],
    });
    const stream = await client.chat.completions.create(
      { model: MODEL, stream: true, messages: [{ role: "user", content: firstQuestion }] },
      { headers },
    );
    for await (const chunk of stream) firstAnswer += chunk.choices[0]?.delta.content ?? "";

    expect(firstAnswer).toContain("your Jira account");
    expect(firstAnswer).toContain("[Connect Jira](https://agents.example/connect/jira?ticket=t-1)");
    expect(links.made).toEqual([`${USER}/jira`]);
    expect(gemini.requests).toHaveLength(1);
    expect(jira.requests).toHaveLength(0);
    // The model was told the user has not connected Jira, and nothing more.
    const system = JSON.stringify(gemini.requests[0]?.body.systemInstruction);
    expect(system).toContain("Jira: not connected");
  }, 60_000);

  it("works on the next message once the credential is in the vault, and no secret leaves it", async () => {
    await vault.put(USER, "jira", {
      kind: "api-token",
      secrets: { token: dana.token },
      metadata: { serverUrl: jira.url, flavour: "server", account: dana.displayName },
    });
    gemini.reset();
    gemini.enqueue(
      { parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }] },
      { parts: [{ text: "DEMO-1 is In Progress, assigned to Dana Reyes." }] },
    );
    const reply = await client.chat.completions.create(
      {
        model: MODEL,
        messages: [
          { role: "user", content: firstQuestion },
          { role: "assistant", content: firstAnswer },
          { role: "user", content: "Done, I connected Jira. Try again please." },
        ],
      },
      { headers },
    );
    const content = reply.choices[0]?.message.content ?? "";
    expect(content).toContain("DEMO-1 is In Progress, assigned to Dana Reyes.");
    expect(jira.requests.map((request) => request.path)).toEqual(["/rest/api/2/issue/DEMO-1"]);
    expect(jira.requests[0]?.auth).toEqual({ scheme: "Bearer", userId: dana.id });

    const first = gemini.requests[0];
    // The stored turn came back: the model sees its earlier call and the "not connected" result.
    const history = JSON.stringify(first?.body.contents);
    expect(history).toContain("given a link to connect it");
    expect(JSON.stringify(first?.body.systemInstruction)).toContain(
      `Jira: connected (serverUrl: ${jira.url}; flavour: server; account: Dana Reyes)`,
    );
    const toolResult = gemini.requests[1]?.body.contents
      ?.flatMap((c) => c.parts ?? [])
      .filter((part) => part.functionResponse?.name === "get_issue")
      .at(-1);
    expect(JSON.stringify(toolResult?.functionResponse?.response)).toContain(
      "DEMO-1: Export to CSV drops rows with non-ASCII names",
    );

    for (const request of gemini.requests)
      expect(JSON.stringify(request.body)).not.toContain(dana.token);
    expect(content).not.toContain(dana.token);
    expect(logLines.join("\n")).not.toContain(dana.token);
  }, 60_000);

  it("sends the user to connect again when Jira refuses the saved token, and forgets it", async () => {
    await vault.put(USER, "jira", {
      kind: "api-token",
      secrets: { token: "revoked-token-9876543210" },
      metadata: { serverUrl: jira.url },
    });
    gemini.reset();
    jira.reset();
    gemini.enqueue({
      parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-2" } } }],
    });
    const reply = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "And DEMO-2?" }] },
      { headers: { ...headers, "X-OpenWebUI-Chat-Id": "jira-chat-2" } },
    );
    const content = reply.choices[0]?.message.content ?? "";
    expect(content).toContain("Jira no longer accepts the saved token (401)");
    expect(content).toContain("[Connect Jira](https://agents.example/connect/jira?ticket=t-2)");
    expect(await vault.get(USER, "jira")).toBeUndefined();
    expect(gemini.requests).toHaveLength(1);
  }, 60_000);

  it("tells an anonymous caller that Jira needs a signed-in user", async () => {
    gemini.reset();
    gemini.enqueue({
      parts: [{ functionCall: { name: "get_issue", args: { issue_key: "DEMO-1" } } }],
    });
    const reply = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: firstQuestion }],
    });
    expect(reply.choices[0]?.message.content).toContain("Jira needs a signed-in user");
  }, 60_000);
});
