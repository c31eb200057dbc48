import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type FakeJira, startFakeJira } from "@agentllm/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readSession, type SessionKey } from "../src/sessions/index.ts";
import {
  REPO_ROOT,
  type RuntimeHarness,
  startRuntimeHarness,
  writeAgentPackage,
} from "./runtime-harness.ts";

// Item 5 and 7 of issue 15 through the runtime: a user pastes a Jira token into the chat (as the
// original project asked), and later tells the agent to disconnect Jira. The planted tokens must
// reach the vault (encrypted) and nothing else: not the model, the session, the logs, the answer.

// Real shapes, made up: a Data Center personal access token (base64 of `<id>:<20 random bytes>`)
// and an Atlassian Cloud API token.
const DC_TOKEN = Buffer.concat([
  Buffer.from("731904452218:"),
  Buffer.from("c0ffee11d00d5eed0ddba11fa11ba5e5ca7f00d1", "hex"),
]).toString("base64");
const CLOUD_TOKEN = `ATATT3xFfGF0${"Pq8_vN-2kLr5WzTy".repeat(11)}=9E8D7C6B`;
const MARKER = "[Jira token removed]";
const AGENT = "agno/paste-test";

let h: RuntimeHarness;
let server: FakeJira;
let cloud: FakeJira;
let agentsDir: string;

/** An agent with the real Jira toolkit, loaded from source like any agent package. */
function writePasteAgent(parent: string): void {
  const jira = pathToFileURL(path.join(REPO_ROOT, "packages/toolkit-jira/src/index.ts")).href;
  writeAgentPackage(
    path.join(parent, "paste-test"),
    "paste-test-agent",
    `import { createJiraToolkit } from ${JSON.stringify(jira)};
export default {
  name: "paste-test",
  description: "Reads Jira as the user.",
  instructions: "You read Jira issues with get_issue.",
  toolkits: [createJiraToolkit({ defaultBaseUrl: () => undefined })],
};
`,
  );
}

beforeAll(async () => {
  server = await startFakeJira({
    flavour: "server",
    users: [{ id: "dana", displayName: "Dana Reyes", emailAddress: "d@x.test", token: DC_TOKEN }],
  });
  cloud = await startFakeJira({
    flavour: "cloud",
    users: [
      { id: "sam", displayName: "Sam Okafor", emailAddress: "sam@x.test", token: CLOUD_TOKEN },
    ],
  });
  agentsDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-paste-agents-"));
  writePasteAgent(agentsDir);
  h = await startRuntimeHarness({
    env: { AGENTLLM_AGENT_DIRS: agentsDir, AGENTLLM_PUBLIC_URL: "https://agents.example" },
  });
});

afterAll(async () => {
  await h?.close();
  await server?.close();
  await cloud?.close();
  if (agentsDir) rmSync(agentsDir, { recursive: true, force: true });
});

beforeEach(() => {
  h.gemini.reset();
});

type Message = { role: "user" | "assistant"; content: string };

async function chat(messages: Message[], user?: string, session = "chat-1"): Promise<string> {
  const response = await h.fetch("/v1/chat/completions", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(user ? { "X-AgentLLM-User-Id": user, "X-AgentLLM-Session-Id": session } : {}),
    },
    body: JSON.stringify({ model: AGENT, messages }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? "";
}

const key = (userId: string, sessionId = "chat-1"): SessionKey => ({
  userId,
  agent: "paste-test",
  sessionId,
});

/** Every byte the runtime wrote to its data folder (the database and its journal). */
function dataBytes(): Buffer {
  const files = readdirSync(h.dataDir, { recursive: true, withFileTypes: true }).filter((entry) =>
    entry.isFile(),
  );
  return Buffer.concat(files.map((entry) => readFileSync(path.join(entry.parentPath, entry.name))));
}

function logText(): string {
  return JSON.stringify(h.logs);
}

function modelRequests(): string {
  return JSON.stringify(h.gemini.requests.map((request) => request.body));
}

describe("a token pasted into the chat", () => {
  const pasted = `Here is my Jira token ${DC_TOKEN} for ${""}`;

  it("is stored encrypted for the user and never reaches the model, the session or the logs", async () => {
    const first = `${pasted}${server.url}/browse/DEMO-1 — please use it.`;
    const answer = await chat([{ role: "user", content: first }], "alice");
    expect(answer).toContain("stored it encrypted");
    expect(answer).toMatch(/\[Connect Jira\]\(https:\/\/agents\.example\/connect\//);
    expect(answer).not.toContain(DC_TOKEN);
    expect(h.gemini.requests).toHaveLength(0);

    const stored = await h.runtime.vault.get("alice", "jira");
    expect(stored?.secrets).toEqual({ token: DC_TOKEN });
    expect(stored?.metadata).toMatchObject({ serverUrl: server.url, account: "Dana Reyes" });
    const firstUpdate = stored?.updatedAt;

    await expect.poll(async () => (await readSession(h.db.db, key("alice"))).turns.length).toBe(1);
    const [turn] = (await readSession(h.db.db, key("alice"))).turns;
    expect(JSON.stringify(turn?.input)).toContain(MARKER);

    // The next turn carries the original message again, as Open WebUI sends it.
    h.gemini.enqueue({ parts: ["DEMO-1 is about the login page."] });
    const next = await chat(
      [
        { role: "user", content: first },
        { role: "assistant", content: answer },
        { role: "user", content: "What is DEMO-1 about?" },
      ],
      "alice",
    );
    expect(next).toBe("DEMO-1 is about the login page.");
    expect(h.gemini.requests).toHaveLength(1);
    expect(modelRequests()).toContain(MARKER);
    expect((await h.runtime.vault.get("alice", "jira"))?.updatedAt).toBe(firstUpdate);
    await expect.poll(async () => (await readSession(h.db.db, key("alice"))).turns.length).toBe(2);
    // Found by its prefix key: the redacted history hashes as it did when it was stored.
    const turns = (await readSession(h.db.db, key("alice"))).turns;
    expect(turns[1]?.parentId).toBe(turns[0]?.id);

    expect(modelRequests()).not.toContain(DC_TOKEN);
    expect(logText()).not.toContain(DC_TOKEN);
    expect(dataBytes().includes(DC_TOKEN)).toBe(false);
    expect(logText()).toContain("pasted credential");
  });

  it("is redacted but not kept for an anonymous request", async () => {
    const answer = await chat([{ role: "user", content: `${pasted}${server.url}` }]);
    expect(answer).toMatch(/did not keep it/);
    expect(answer).toMatch(/signed-in user/);
    expect(h.gemini.requests).toHaveLength(0);
    expect(logText()).not.toContain(DC_TOKEN);
  });

  it("says what is missing and stores nothing when the token cannot be used", async () => {
    const answer = await chat([{ role: "user", content: `my token: ${DC_TOKEN}` }], "bob");
    expect(answer).toMatch(/which Jira/);
    expect(await h.runtime.vault.get("bob", "jira")).toBeUndefined();
    const refused = await chat(
      [{ role: "user", content: `${CLOUD_TOKEN} at ${cloud.url} as bob@x.test` }],
      "bob",
      "chat-2",
    );
    expect(refused).toMatch(/did not store it: Jira did not accept/);
    expect(await h.runtime.vault.get("bob", "jira")).toBeUndefined();
    expect(`${answer}${refused}${logText()}`).not.toContain(CLOUD_TOKEN);
  });

  it("stores a Cloud token with the email of the same message", async () => {
    const answer = await chat(
      [{ role: "user", content: `Jira Cloud ${cloud.url}, sam@x.test, token ${CLOUD_TOKEN}` }],
      "sam",
    );
    expect(answer).toContain("stored it encrypted");
    const stored = await h.runtime.vault.get("sam", "jira");
    expect(stored?.secrets).toEqual({ token: CLOUD_TOKEN });
    expect(stored?.metadata).toMatchObject({ email: "sam@x.test", flavour: "cloud" });
    expect(dataBytes().includes(CLOUD_TOKEN)).toBe(false);
  });

  it("is taken out of Open WebUI's background tasks too", async () => {
    h.gemini.enqueue({ parts: ['{"title": "Jira token"}'] });
    const prompt = `### Task:\nGenerate a concise title.\n<chat_history>\nUSER: ${pasted}${server.url}\n</chat_history>`;
    await chat([{ role: "user", content: prompt }], "alice", "chat-3");
    expect(h.gemini.requests).toHaveLength(1);
    expect(modelRequests()).toContain(MARKER);
    expect(modelRequests()).not.toContain(DC_TOKEN);
  });
});

describe("disconnect_service", () => {
  it("is offered to signed-in users and deletes their credential when the model calls it", async () => {
    await h.runtime.vault.put("carol", "jira", {
      kind: "api-token",
      secrets: { token: DC_TOKEN },
      metadata: { serverUrl: server.url },
    });
    h.gemini.enqueue(
      { parts: [{ functionCall: { name: "disconnect_service", args: { service: "jira" } } }] },
      { parts: ["Jira is disconnected."] },
    );
    const answer = await chat([{ role: "user", content: "Please disconnect Jira." }], "carol");
    expect(answer).toContain("Jira is disconnected.");
    expect(await h.runtime.vault.get("carol", "jira")).toBeUndefined();

    const [first, second] = h.gemini.requests.map((request) => request.body);
    const declared = JSON.stringify(first?.tools);
    expect(declared).toContain("disconnect_service");
    expect(JSON.stringify(first?.systemInstruction)).toContain("disconnect_service");
    const result = JSON.stringify(second?.contents?.at(-1));
    expect(result).toContain("Jira is disconnected: the stored credential is deleted");
  });

  it("says so when there is nothing to delete, and is not offered to anonymous requests", async () => {
    h.gemini.enqueue(
      { parts: [{ functionCall: { name: "disconnect_service", args: { service: "jira" } } }] },
      { parts: ["Nothing to do."] },
    );
    await chat([{ role: "user", content: "disconnect jira" }], "dave");
    expect(JSON.stringify(h.gemini.requests[1]?.body.contents?.at(-1))).toContain(
      "was not connected",
    );

    h.gemini.reset();
    h.gemini.enqueue({ parts: ["Hello."] });
    await chat([{ role: "user", content: "hello" }]);
    expect(JSON.stringify(h.gemini.requests[0]?.body.tools)).not.toContain("disconnect_service");
  });
});
