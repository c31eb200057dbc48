import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type FakeDrive,
  type FakeGemini,
  type FakeGoogle,
  type FakeJira,
  type FakeTurn,
  type GeminiRequestBody,
  grantFromFakeGoogle,
  seedDriveFiles,
  seedUsers,
  startFakeDrive,
  startFakeGemini,
  startFakeGoogle,
  startFakeJira,
} from "@agentllm/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type RunningRuntime, startRuntime } from "../src/start-runtime.ts";
import { MemoryCredentialVault } from "../src/testing/index.ts";
import { REPO_ROOT, RUNTIME_TOKEN, TOKEN_ENCRYPTION_KEY } from "./runtime-harness.ts";

// Gemini 2.5 caches a repeated prompt prefix implicitly, so every model call of a conversation
// must be a byte-identical extension of the one before: the same system instruction, the same
// tool declarations, and the earlier contents unchanged. Checked for each of the three agents
// through the real runtime, tool turns and connected credentials included; the Google grant is
// close to expiry, so a tool renews it mid-conversation (and its stored expiry changes).

const dana = seedUsers[0] as (typeof seedUsers)[number];
const MAPPING = seedDriveFiles().find((file) => file.name === "Team mapping");
const MAPPING_URL = `https://docs.google.com/document/d/${MAPPING?.id}/edit`;

interface Conversation {
  readonly model: string;
  /** Per user message, the fake model's turns (one per model call). */
  readonly turns: readonly (readonly FakeTurn[])[];
}

const call = (name: string, args: Record<string, unknown> = {}): FakeTurn => ({
  parts: [{ functionCall: { name, args } }],
});
const say = (text: string): FakeTurn => ({ parts: [text] });

const CONVERSATIONS: readonly Conversation[] = [
  {
    model: "agno/demo-agent",
    turns: [
      [call("get_favorite_color"), say("Blue, as you set it.")],
      [say("Blue is calm.")],
      [
        call("generate_color_palette", { paletteType: "analogous" }),
        call("design_color_scheme_for_purpose", { purpose: "a calm reading app" }),
        say("Here."),
      ],
      [say("You are welcome.")],
    ],
  },
  {
    model: "agno/release-manager",
    turns: [
      [
        call("get_workflow_instructions", { request: "release status" }),
        say("Follow these steps."),
      ],
      [
        call("get_issue", { issue_key: "DEMO-21" }),
        call("get_document_content", { url_or_id: MAPPING_URL }),
        say("DEMO-21 is in progress; Web owns it."),
      ],
      [say("That is all for now.")],
      [call("get_issue", { issue_key: "DEMO-27" }), say("DEMO-27 is done.")],
    ],
  },
  {
    model: "agno/sprint-reviewer",
    turns: [
      [call("get_document_content", { url_or_id: MAPPING_URL }), say("Which team?")],
      [call("get_issue", { issue_key: "DEMO-21" }), say("DEMO-21 is blocked.")],
      [say("Nothing else is blocked.")],
      [call("get_document_content", { url_or_id: MAPPING_URL }), say("Web owns Frontend.")],
    ],
  },
];

/** Where `next` stops extending `previous`, or undefined when it is an exact extension. */
function prefixBreak(previous: GeminiRequestBody, next: GeminiRequestBody): string | undefined {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(previous.systemInstruction, next.systemInstruction)) return "systemInstruction";
  if (!same(previous.tools, next.tools)) return "tools";
  if (!same(previous.toolConfig, next.toolConfig)) return "toolConfig";
  const before = previous.contents ?? [];
  const after = next.contents ?? [];
  if (after.length <= before.length) return `contents shrank (${before.length} → ${after.length})`;
  const at = before.findIndex((content, i) => !same(content, after[i]));
  return at === -1
    ? undefined
    : `contents[${at}]: ${JSON.stringify(before[at])} → ${JSON.stringify(after[at])}`;
}

describe("each model call of a conversation extends the previous one byte for byte", () => {
  let gemini: FakeGemini;
  let jira: FakeJira;
  let google: FakeGoogle;
  let drive: FakeDrive;
  let runtime: RunningRuntime;
  let client: OpenAI;
  let workDir: string;
  const vault = new MemoryCredentialVault();
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    gemini = await startFakeGemini({ port: 0 });
    jira = await startFakeJira({ flavour: "server" });
    google = await startFakeGoogle();
    drive = await startFakeDrive({ google });
    // The toolkits read these when a tool runs, in this process.
    const env = {
      GOOGLE_DRIVE_BASE_URL: drive.url,
      SPRINT_REVIEWER_TEAM_MAPPING_GDRIVE_URL: MAPPING_URL,
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    workDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-stable-prefix-"));
    const config = loadConfig({
      AGENTLLM_RUNTIME_TOKEN: RUNTIME_TOKEN,
      AGENTLLM_TOKEN_ENCRYPTION_KEY: TOKEN_ENCRYPTION_KEY,
      GEMINI_API_KEY: "fake-gemini-key",
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      AGENTLLM_RUNTIME_PORT: "0",
      AGENTLLM_PUBLIC_PORT: "0",
      AGENTLLM_DATA_DIR: workDir,
      AGENTLLM_LOG_LEVEL: "warn",
      GDRIVE_CLIENT_ID: "fake-google-client-id",
      GDRIVE_CLIENT_SECRET: "fake-google-client-secret",
      GOOGLE_OAUTH_BASE_URL: google.url,
    });
    runtime = await startRuntime(config, {
      logger: createLogger("warn", { write: () => {} }),
      vault,
      cwd: REPO_ROOT,
    });
    client = new OpenAI({ baseURL: `${runtime.url}/v1`, apiKey: RUNTIME_TOKEN, maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    await drive?.close();
    await google?.close();
    await jira?.close();
    await gemini?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    gemini.reset();
  });

  async function setFavoriteColor(user: string, color = "blue"): Promise<void> {
    gemini.enqueue(call("set_favorite_color", { color }), say(`${color} it is.`));
    await client.chat.completions.create(
      { model: "agno/demo-agent", messages: [{ role: "user", content: `I like ${color}.` }] },
      {
        headers: { "X-AgentLLM-User-Id": user, "X-AgentLLM-Session-Id": `setup-${user}-${color}` },
      },
    );
  }

  it.each(CONVERSATIONS)(
    "$model, over four turns with tools",
    async ({ model, turns }) => {
      const user = `prefix-user-${model.slice(5)}`;
      const headers = { "X-AgentLLM-User-Id": user, "X-AgentLLM-Session-Id": `chat-${user}` };
      await vault.put(user, "jira", {
        kind: "api-token",
        secrets: { token: dana.token },
        metadata: { serverUrl: jira.url, flavour: "server", account: dana.displayName },
      });
      const grant = await grantFromFakeGoogle(google);
      await vault.put(user, "google_drive", {
        kind: "oauth2",
        secrets: { refresh_token: grant.refreshToken, access_token: grant.accessToken },
        // Inside the renewal margin: the first Drive call renews it and stores a new expiry.
        metadata: { access_token_expires_at: String(Date.now() + 30_000), email: grant.email },
      });
      // The demo's instructions name the user's favorite color: set in another chat beforehand,
      // as a returning user has it (a change mid-conversation is measured below).
      await setFavoriteColor(user);
      gemini.reset();

      const messages: OpenAI.ChatCompletionMessageParam[] = [];
      const cached: number[] = [];
      for (const [i, fakeTurns] of turns.entries()) {
        messages.push({ role: "user", content: `Question ${i + 1}, please.` });
        gemini.enqueue(...fakeTurns);
        // Streamed and not, in turn: both report the cache in their usage.
        if (i % 2 === 0) {
          const reply = await client.chat.completions.create({ model, messages }, { headers });
          messages.push({ role: "assistant", content: reply.choices[0]?.message.content ?? "" });
          cached.push(reply.usage?.prompt_tokens_details?.cached_tokens ?? -1);
        } else {
          const stream = await client.chat.completions.create(
            { model, messages, stream: true, stream_options: { include_usage: true } },
            { headers },
          );
          let content = "";
          let usage: OpenAI.CompletionUsage | undefined;
          for await (const chunk of stream) {
            content += chunk.choices[0]?.delta.content ?? "";
            if (chunk.usage) usage = chunk.usage;
          }
          messages.push({ role: "assistant", content });
          cached.push(usage?.prompt_tokens_details?.cached_tokens ?? -1);
        }
        expect(gemini.pendingTurns).toBe(0);
      }

      const bodies = gemini.requests.map((request) => request.body);
      expect(bodies).toHaveLength(turns.flat().length);
      for (let i = 1; i < bodies.length; i++) {
        expect(
          prefixBreak(bodies[i - 1] as GeminiRequestBody, bodies[i] as GeminiRequestBody),
          `call ${i}`,
        ).toBeUndefined();
      }
      // Every turn after the first starts on a prompt the previous turn already sent in full.
      expect(cached[0]).toBeGreaterThanOrEqual(0);
      for (const tokens of cached.slice(1)) expect(tokens).toBeGreaterThan(0);
      if (model !== "agno/demo-agent") {
        // The conversation really used the user's Drive grant and renewed it on the way.
        const stored = await vault.get(user, "google_drive");
        expect(Number(stored?.metadata.access_token_expires_at)).toBeGreaterThan(
          Date.now() + 60_000,
        );
      }
    },
    60_000,
  );

  /** One turn of a session; the prompt and cached tokens of its (single) model call. */
  async function turn(
    model: string,
    user: string,
    messages: readonly OpenAI.ChatCompletionMessageParam[],
    answer: FakeTurn,
  ) {
    gemini.enqueue(answer);
    const reply = await client.chat.completions.create(
      { model, messages: [...messages] },
      { headers: { "X-AgentLLM-User-Id": user, "X-AgentLLM-Session-Id": `chat-${user}` } },
    );
    const assistant = reply.choices[0]?.message.content ?? "";
    return {
      assistant: { role: "assistant" as const, content: assistant },
      prompt: reply.usage?.prompt_tokens ?? -1,
      cached: reply.usage?.prompt_tokens_details?.cached_tokens ?? -1,
    };
  }
  const asks = (content: string) => ({ role: "user" as const, content });

  it("keeps the prefix on a regenerate and on Continue; an edit keeps what is before it", async () => {
    const user = "prefix-kept";
    const model = "agno/demo-agent";
    await setFavoriteColor(user);
    const history: OpenAI.ChatCompletionMessageParam[] = [];
    for (const i of [1, 2, 3]) {
      history.push(asks(`Question ${i}.`));
      const answered = await turn(model, user, history, say(`Answer ${i}.`));
      history.push(answered.assistant);
    }
    // Regenerate: the same history without the last answer, so the same prompt as before.
    const regenerated = await turn(model, user, history.slice(0, -1), say("Answer 3 again."));
    expect(regenerated.cached).toBe(regenerated.prompt);
    // Continue (Open WebUI's ▷): the answer shown, then a request to go on, after it.
    const shown = [...history.slice(0, -1), regenerated.assistant];
    const continued = await turn(model, user, shown, say(" And more."));
    expect(continued.cached).toBe(regenerated.prompt);
    // An edit of question 2: what came before it is still cached, nothing after.
    const edited = await turn(
      model,
      user,
      [...history.slice(0, 2), asks("Question 2?")],
      say("A."),
    );
    expect(edited.cached).toBeGreaterThan(0);
    expect(edited.cached).toBeLessThan(continued.cached);
  }, 60_000);

  it("starts over after a change to the instructions: a setting or a connection", async () => {
    const user = "prefix-changed";
    await setFavoriteColor(user);
    const demo: OpenAI.ChatCompletionMessageParam[] = [asks("Hello.")];
    demo.push((await turn("agno/demo-agent", user, demo, say("Hi."))).assistant);
    // The favorite color is in the demo's instructions: changing it changes the first byte on.
    demo.push(asks("Make green my favorite."));
    gemini.enqueue(call("set_favorite_color", { color: "green" }));
    demo.push((await turn("agno/demo-agent", user, demo, say("Green it is."))).assistant);
    demo.push(asks("Thanks."));
    const afterSetting = await turn("agno/demo-agent", user, demo, say("Welcome."));
    expect(afterSetting.cached).toBe(0);

    // Connecting Jira changes the connections note in the system instruction.
    const model = "agno/sprint-reviewer";
    const review: OpenAI.ChatCompletionMessageParam[] = [asks("Hello.")];
    review.push((await turn(model, user, review, say("Hi."))).assistant);
    review.push(asks("Still there?"));
    const plain = await turn(model, user, review, say("Yes."));
    expect(plain.cached).toBeGreaterThan(0);
    review.push(plain.assistant);
    await vault.put(user, "jira", {
      kind: "api-token",
      secrets: { token: dana.token },
      metadata: { serverUrl: jira.url, flavour: "server", account: dana.displayName },
    });
    review.push(asks("I connected Jira."));
    const afterConnect = await turn(model, user, review, say("Good."));
    expect(afterConnect.cached).toBe(0);
  }, 60_000);
});
