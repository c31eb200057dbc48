import {
  type AppDatabase,
  branchOf,
  openDatabase,
  readSession,
  type SessionKey,
  type StoredTurn,
} from "@agentllm/runtime";
import type { FakeGemini, RecordedRequest } from "@agentllm/testkit";
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// Conversations as Open WebUI holds them: the whole visible history on every request, a chat
// id header, edits and regenerations. Through the real LiteLLM proxy.
type Message = OpenAI.ChatCompletionMessageParam;

let fx: StackFixture;
let gemini: FakeGemini;
let database: AppDatabase;

beforeAll(async () => {
  fx = await startStackFixture();
  gemini = fx.gemini;
  // WAL lets the test read the runtime's database while it runs.
  database = await openDatabase({ dataDir: fx.dataDir });
}, 120_000);

afterAll(async () => {
  await database?.close();
  await fx?.close();
});

beforeEach(() => gemini.reset());

const MODEL = "agno/demo-agent";
const AGENT = "demo-agent";

async function ask(user: string, chat: string, messages: Message[]): Promise<string> {
  const reply = await fx.client.chat.completions.create(
    { model: MODEL, messages },
    { headers: { "X-OpenWebUI-User-Id": user, "X-OpenWebUI-Chat-Id": chat } },
  );
  return reply.choices[0]?.message.content ?? "";
}

const modelCalls = (): RecordedRequest[] =>
  gemini.requests.filter((r) => r.method === "streamGenerateContent");
const lastContents = (): string => JSON.stringify(modelCalls().at(-1)?.body.contents);

/** A first turn that calls the palette tool, so the session holds steps the client never sees. */
async function toolTurn(user: string, chat: string): Promise<{ history: Message[] }> {
  gemini.enqueue(
    {
      parts: [
        {
          functionCall: {
            name: "generate_color_palette",
            args: { paletteType: "triadic", color: "red" },
          },
        },
      ],
    },
    { parts: ["Here is a triadic palette from red."] },
  );
  const first: Message = { role: "user", content: "A triadic palette from red, please" };
  const answer = await ask(user, chat, [first]);
  expect(answer).toContain('<details type="tool_calls"');
  return { history: [first, { role: "assistant", content: answer }] };
}

describe("conversation history", () => {
  it("continues a conversation: the model sees the earlier tool call and its result again", async () => {
    const { history } = await toolTurn("erin", "chat-continue");
    gemini.enqueue({ parts: ["You're welcome!"] });
    await ask("erin", "chat-continue", [...history, { role: "user", content: "Thanks!" }]);
    const sent = lastContents();
    expect(sent).toContain('"functionCall"');
    expect(sent).toContain('"functionResponse"');
    // Our tool card markup never reaches the model.
    expect(sent).not.toContain("<details");
    const branch = await latestBranch({
      userId: "erin",
      agent: AGENT,
      sessionId: "chat-continue",
    });
    expect(branch).toHaveLength(2);
    expect(branch[1]?.parentId).toBe(branch[0]?.id);
  });

  it("regenerates the last answer: a fork from its parent, the old answer kept but unseen", async () => {
    const { history } = await toolTurn("frank", "chat-regen");
    const second: Message = { role: "user", content: "Now something calmer" };
    gemini.enqueue({ parts: ["A calm answer."] });
    await ask("frank", "chat-regen", [...history, second]);
    gemini.enqueue({ parts: ["Another calm answer."] });
    await ask("frank", "chat-regen", [...history, second]);

    expect(lastContents()).not.toContain("A calm answer.");
    const key = { userId: "frank", agent: AGENT, sessionId: "chat-regen" };
    const all = await allTurns(key);
    const branch = await latestBranch(key);
    expect(all).toHaveLength(3);
    expect(branch.map((t) => t.answer)).toEqual([
      "Here is a triadic palette from red.",
      "Another calm answer.",
    ]);
    expect(all[1]?.parentId).toBe(all[0]?.id);
    expect(all[2]?.parentId).toBe(all[0]?.id);
  });

  it("edits an earlier message: the history forks before it and later turns drop out", async () => {
    gemini.enqueue({ parts: ["One."] }, { parts: ["Two."] }, { parts: ["Edited two."] });
    const m1: Message = { role: "user", content: "first" };
    const a1 = await ask("gina", "chat-edit", [m1]);
    const m2: Message = { role: "user", content: "second" };
    const a2 = await ask("gina", "chat-edit", [m1, { role: "assistant", content: a1 }, m2]);
    expect(a2).toBe("Two.");
    await ask("gina", "chat-edit", [
      m1,
      { role: "assistant", content: a1 },
      { role: "user", content: "second, edited" },
    ]);
    expect(lastContents()).not.toContain('"second"');
    const branch = await latestBranch({
      userId: "gina",
      agent: AGENT,
      sessionId: "chat-edit",
    });
    expect(branch.map((t) => t.answer)).toEqual(["One.", "Edited two."]);
  });

  it("edits the very first message: a new root", async () => {
    const { history } = await toolTurn("hana", "chat-root");
    gemini.enqueue({ parts: ["Fresh start."] });
    await ask("hana", "chat-root", [{ role: "user", content: "Something else entirely" }]);
    expect(lastContents()).not.toContain('"functionCall"');
    const branch = await latestBranch({
      userId: "hana",
      agent: AGENT,
      sessionId: "chat-root",
    });
    expect(branch).toHaveLength(1);
    expect(branch[0]?.parentId).toBeNull();
    expect(history).toHaveLength(2);
  });

  it("deletes a turn in the middle: its tool steps are gone from the model's view", async () => {
    const { history } = await toolTurn("ivan", "chat-delete");
    gemini.enqueue({ parts: ["Middle answer."] }, { parts: ["Last answer."] });
    const middle: Message = { role: "user", content: "middle question" };
    const middleAnswer = await ask("ivan", "chat-delete", [...history, middle]);
    // The user deletes the first exchange (with its tool call) and asks again.
    await ask("ivan", "chat-delete", [
      middle,
      { role: "assistant", content: middleAnswer },
      { role: "user", content: "last question" },
    ]);
    const sent = lastContents();
    expect(sent).not.toContain('"functionCall"');
    expect(sent).toContain("middle question");
  });

  it("keeps two chats of one user apart", async () => {
    await toolTurn("jack", "chat-a");
    gemini.enqueue({ parts: ["Hello in chat b."] });
    await ask("jack", "chat-b", [{ role: "user", content: "Hi" }]);
    expect(lastContents()).not.toContain('"functionCall"');
    const a = await latestBranch({ userId: "jack", agent: AGENT, sessionId: "chat-a" });
    const b = await latestBranch({ userId: "jack", agent: AGENT, sessionId: "chat-b" });
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
  });

  it("never lets another user read or continue a session, even with its chat id", async () => {
    const { history } = await toolTurn("kim", "chat-private");
    gemini.enqueue({ parts: ["Hi mallory."] });
    await ask("mallory", "chat-private", [...history, { role: "user", content: "Continue" }]);
    // Mallory's request carries only what Mallory sent: no stored tool call of Kim's.
    expect(lastContents()).not.toContain('"functionCall"');
    const kims = await allTurns({
      userId: "kim",
      agent: AGENT,
      sessionId: "chat-private",
    });
    expect(kims).toHaveLength(1);
    const mallorys = await allTurns({
      userId: "mallory",
      agent: AGENT,
      sessionId: "chat-private",
    });
    expect(mallorys).toHaveLength(1);
    expect(mallorys[0]?.parentId).toBeNull();
  });

  it("trims the oldest exchanges of a history longer than the context, keeping the system part", async () => {
    const long = "lorem ipsum ".repeat(20_000); // ~60k estimated tokens per message
    const messages: Message[] = [{ role: "system", content: "SYSTEM-NOTE-KEEP" }];
    for (let i = 0; i < 8; i++) {
      messages.push({ role: "user", content: `old question ${i} ${long}` });
      messages.push({ role: "assistant", content: `old answer ${i}` });
    }
    messages.push({ role: "user", content: "the newest question" });
    gemini.enqueue({ parts: ["ok"] });
    await ask("lena", "chat-long", messages);
    const request = modelCalls().at(-1);
    const sent = JSON.stringify(request?.body.contents);
    expect(sent).toContain("the newest question");
    expect(sent).not.toContain("old question 0");
    expect(sent.length / 4).toBeLessThan(200_000);
    const system = JSON.stringify(request?.body.systemInstruction);
    expect(system).toContain("SYSTEM-NOTE-KEEP");
    expect(system).toContain("oldest exchanges of this conversation were left out");
  });
});

/** The turns from the root to the latest one appended. */
async function latestBranch(key: SessionKey): Promise<StoredTurn[]> {
  return branchOf(await readSession(database.db, key));
}

async function allTurns(key: SessionKey): Promise<readonly StoredTurn[]> {
  return (await readSession(database.db, key)).turns;
}
