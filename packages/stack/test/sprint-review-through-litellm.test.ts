import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type ConnectLinks,
  createLogger,
  loadConfig,
  type RunningRuntime,
  startRuntime,
} from "@agentllm/runtime";
import { MemoryCredentialVault } from "@agentllm/runtime/testing";
import {
  type FakeDrive,
  type FakeGemini,
  type FakeGoogle,
  type FakeGoogleGrant,
  type FakeJira,
  grantFromFakeGoogle,
  seedDriveFiles,
  seedUsers,
  startFakeDrive,
  startFakeGemini,
  startFakeGoogle,
  startFakeJira,
} from "@agentllm/testkit";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildService } from "../src/child-service.ts";
import { paths } from "../src/repo-paths.ts";
import { randomFernetKey } from "../src/start-stack.ts";
import { startProxyClient } from "./proxy-client.ts";
import { proxyConfigWithModels } from "./stack-fixture.ts";

// agno/sprint-reviewer through the real LiteLLM proxy, the fake Gemini scripting the model's
// calls: the team mapping from the fake Drive, the team's issues, the sprint and its metrics
// from the fake Jira (Data Center, so the legacy sprint field), all as the user with their own
// Jira token and Google grant. The runtime runs in this process so the test holds its vault.

const MODEL = "agno/sprint-reviewer";
const USER = "reviewer-user-1";
const dana = seedUsers[0] as (typeof seedUsers)[number];
const RUNTIME_TOKEN = "sprint-review-runtime-token";
const MASTER_KEY = "sk-sprint-review-test";
const MAPPING = seedDriveFiles().find((file) => file.name === "Team mapping");
const MAPPING_URL = `https://docs.google.com/document/d/${MAPPING?.id}/edit`;
const ENV = {
  GOOGLE_DRIVE_BASE_URL: "",
  SPRINT_REVIEWER_TEAM_MAPPING_GDRIVE_URL: MAPPING_URL,
};

class RecordedLinks implements ConnectLinks {
  readonly made: string[] = [];
  async linkFor(userId: string, toolkit: string): Promise<string> {
    this.made.push(`${userId}/${toolkit}`);
    return `https://agents.example/connect/${toolkit}?ticket=t-${this.made.length}`;
  }
}

/** The backlog query the instructions suggest. */
const BACKLOG_JQL =
  'project = DEMO AND component in ("Frontend") AND sprint = EMPTY AND status != Done ORDER BY key ASC';

const REVIEW = `# Sprint review: Web, DEMO Sprint 12

## Done
- DEMO-27 Speed up the notification emails

## Blocked
- DEMO-21 Speed up the invoice list (labelled blocked)`;

describe("a sprint review through the real LiteLLM proxy", () => {
  let gemini: FakeGemini;
  let jira: FakeJira;
  let google: FakeGoogle;
  let drive: FakeDrive;
  let grant: FakeGoogleGrant;
  let runtime: RunningRuntime;
  let proxy: ChildService;
  let client: OpenAI;
  let workDir: string;
  const saved: Record<string, string | undefined> = {};
  const vault = new MemoryCredentialVault();
  const links = new RecordedLinks();
  const logLines: string[] = [];

  beforeAll(async () => {
    gemini = await startFakeGemini({ port: 0 });
    jira = await startFakeJira({ flavour: "server" });
    google = await startFakeGoogle();
    drive = await startFakeDrive({ google });
    grant = await grantFromFakeGoogle(google);
    // The toolkits read these when a tool runs, in this process.
    for (const [name, value] of Object.entries({ ...ENV, GOOGLE_DRIVE_BASE_URL: drive.url })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    workDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-sprint-review-"));
    const config = loadConfig({
      AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
      GEMINI_API_KEY: "fake-gemini-key",
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      AGENTLLM_RUNTIME_PORT: "0",
      AGENTLLM_DATA_DIR: path.join(workDir, "data"),
      AGENTLLM_LOG_LEVEL: "debug",
      AGENTLLM_TOKEN_ENCRYPTION_KEY: randomFernetKey(),
      AGENTLLM_PUBLIC_PORT: "0",
      GDRIVE_CLIENT_ID: "fake-google-client-id",
      GDRIVE_CLIENT_SECRET: "fake-google-client-secret",
      GOOGLE_OAUTH_BASE_URL: google.url,
    });
    runtime = await startRuntime(config, {
      logger: createLogger("debug", { write: (line: string) => void logLines.push(line) }),
      vault,
      connectLinks: links,
    });
    // The repository's proxy config, with the agent added unless `just sync-models` already did.
    const listed = readFileSync(paths.proxyConfig, "utf8").includes(`model_name: ${MODEL}\n`);
    const proxyConfig = proxyConfigWithModels(workDir, listed ? [] : [MODEL]);
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
    await drive?.close();
    await google?.close();
    await jira?.close();
    await gemini?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  const connectJira = (user: string) =>
    vault.put(user, "jira", {
      kind: "api-token",
      secrets: { token: dana.token },
      metadata: { serverUrl: jira.url, flavour: "server", account: dana.displayName },
    });

  /** The results the runtime sent back to the model, by tool name, in order (the last request holds them all). */
  const toolResults = (name: string) =>
    (gemini.requests.at(-1)?.body.contents ?? [])
      .flatMap((content) => content.parts ?? [])
      .filter((part) => part.functionResponse?.name === name)
      .map((part) => JSON.stringify(part.functionResponse?.response));

  it("reads the team mapping, the team's issues, the sprint and its metrics, and answers", async () => {
    await connectJira(USER);
    await vault.put(USER, "google_drive", {
      kind: "oauth2",
      secrets: { refresh_token: grant.refreshToken, access_token: grant.accessToken },
      metadata: {
        access_token_expires_at: String(Date.now() + 3_000_000),
        email: grant.email,
      },
    });
    const team = { project: "DEMO", components: ["Frontend"] };
    gemini.enqueue(
      {
        parts: [
          { functionCall: { name: "get_document_content", args: { url_or_id: MAPPING_URL } } },
        ],
      },
      { parts: [{ functionCall: { name: "get_issues_by_team", args: team } }] },
      {
        parts: [{ functionCall: { name: "extract_sprint_info", args: { issue_key: "DEMO-21" } } }],
      },
      {
        parts: [
          { functionCall: { name: "get_sprint_metrics", args: { sprint_id: 12 } } },
          { functionCall: { name: "get_issues_by_team", args: { ...team, sprint_id: 12 } } },
          { functionCall: { name: "get_issues_summary", args: { jql: BACKLOG_JQL } } },
        ],
      },
      { parts: [{ text: REVIEW }] },
    );
    const reply = await client.chat.completions.create(
      {
        model: MODEL,
        messages: [{ role: "user", content: "Sprint review for the Web team, please." }],
      },
      { headers: { "X-OpenWebUI-User-Id": USER, "X-OpenWebUI-Chat-Id": "review-chat-1" } },
    );
    // Open WebUI's tool cards, one per call, then the review.
    const content = reply.choices[0]?.message.content ?? "";
    expect(content.endsWith(REVIEW)).toBe(true);
    expect(content.match(/<details type="tool_calls" done="true"/g)).toHaveLength(6);

    // The instructions named the configured document and said Drive is required.
    const system = JSON.stringify(gemini.requests[0]?.body.systemInstruction);
    expect(system).toContain(`The team mapping is the Google Drive document ${MAPPING_URL}.`);
    expect(system).toContain("Google Drive is required");

    // Drive: the mapping exported as Markdown, with the user's own grant.
    const exported = drive.requests.filter((r) => r.path.endsWith(`/files/${MAPPING?.id}/export`));
    expect(exported).toHaveLength(1);
    expect(exported[0]?.query.mimeType).toBe("text/markdown");
    expect(exported[0]?.authorization).toBe(`Bearer ${grant.accessToken}`);
    expect(toolResults("get_document_content")[0]).toContain(
      "| Web | Frontend | DEMO | Lin Park |",
    );

    // Jira: a search, the issue, the sprint and its issues, each as Dana with her token.
    expect(jira.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        "POST /rest/api/2/search",
        "GET /rest/api/2/issue/DEMO-21",
        "GET /rest/agile/1.0/sprint/12",
        "GET /rest/agile/1.0/sprint/12/issue",
      ]),
    );
    for (const request of jira.requests) {
      expect(request.auth).toEqual({ scheme: "Bearer", userId: dana.id });
      expect(request.status).toBe(200);
    }
    const [openSprints, inSprint] = toolResults("get_issues_by_team");
    expect(openSprints).toContain(
      'component in (\\"Frontend\\") AND sprint in openSprints() ORDER BY key ASC',
    );
    expect(openSprints).toContain("DEMO-21 [In Progress] Story: Speed up the invoice list");
    expect(openSprints).toContain("labels: blocked");
    expect(inSprint).toContain("AND sprint = 12 ORDER BY key ASC");
    expect(toolResults("extract_sprint_info")[0]).toContain(
      'DEMO-21 is in sprint 12, \\"DEMO Sprint 12\\" (active).',
    );
    const backlog = toolResults("get_issues_summary")[0];
    expect(backlog).toContain("DEMO-36 [To Do] Speed up the login page | Dana Reyes");
    expect(backlog).not.toContain("DEMO-21");
    const metrics = toolResults("get_sprint_metrics")[0];
    expect(metrics).toContain("Planned:");
    expect(metrics).toMatch(/Completion: \d+% \(\d+ of \d+ closed\)/);

    for (const request of gemini.requests) {
      const body = JSON.stringify(request.body);
      expect(body).not.toContain(dana.token);
      expect(body).not.toContain(grant.accessToken);
    }
    expect(logLines.join("\n")).not.toContain(dana.token);
    expect(logLines.join("\n")).not.toContain(grant.accessToken);
  }, 60_000);

  it("without a Google grant, answers with the link to connect Google Drive and reads nothing", async () => {
    const user = "reviewer-user-2";
    await connectJira(user);
    gemini.reset();
    jira.reset();
    const driveBefore = drive.requests.length;
    gemini.enqueue({
      parts: [{ functionCall: { name: "get_document_content", args: { url_or_id: MAPPING_URL } } }],
    });
    const reply = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "Sprint review for the Web team." }] },
      { headers: { "X-OpenWebUI-User-Id": user, "X-OpenWebUI-Chat-Id": "review-chat-2" } },
    );
    const content = reply.choices[0]?.message.content ?? "";
    expect(content).toContain("(https://agents.example/connect/google_drive?ticket=t-1)");
    expect(content).toContain("Google Drive");
    expect(links.made).toEqual([`${user}/google_drive`]);
    expect(drive.requests.length).toBe(driveBefore);
    expect(jira.requests).toHaveLength(0);
    expect(JSON.stringify(gemini.requests[0]?.body.systemInstruction)).toContain(
      "Google Drive: not connected",
    );
  }, 60_000);
});
