import { type AppDatabase, branchOf, openDatabase, readSession } from "@agentllm/runtime";
import type { FakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// Open WebUI's own requests, shaped as Open WebUI 0.12 sends them (shared/open-webui-notes.md),
// through the real LiteLLM proxy: the headers of a signed-in user in a chat, background tasks on
// the same model and chat id, the Continue button.

let fx: StackFixture;
let gemini: FakeGemini;
let database: AppDatabase;

beforeAll(async () => {
  fx = await startStackFixture();
  gemini = fx.gemini;
  database = await openDatabase({ dataDir: fx.dataDir });
}, 120_000);

afterAll(async () => {
  await database?.close();
  await fx?.close();
});

beforeEach(() => {
  gemini.reset();
});

const MODEL = "agno/demo-agent";

/** The headers Open WebUI adds with ENABLE_FORWARD_USER_INFO_HEADERS for a chat's requests. */
function openWebUiHeaders(user: string, chatId: string): Record<string, string> {
  return {
    authorization: `Bearer ${fx.stack.masterKey}`,
    "content-type": "application/json",
    "X-OpenWebUI-User-Name": encodeURIComponent(`${user} Example`),
    "X-OpenWebUI-User-Id": user,
    "X-OpenWebUI-User-Email": `${user}@example.com`,
    "X-OpenWebUI-User-Role": "user",
    "X-OpenWebUI-Auth-Type": "bearer",
    "X-OpenWebUI-Chat-Id": chatId,
  };
}

function post(
  body: object,
  user: string,
  chatId: string,
  signal?: AbortSignal,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${fx.stack.proxyUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { ...openWebUiHeaders(user, chatId), ...extraHeaders },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

async function contentOf(response: Response): Promise<string> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return (JSON.parse(text) as { choices: { message: { content: string } }[] }).choices[0]?.message
    .content as string;
}

/** The text of an SSE completion stream, and whether it ended with [DONE]. */
async function streamed(response: Response): Promise<{ text: string; done: boolean }> {
  expect(response.status).toBe(200);
  let text = "";
  let done = false;
  for (const line of (await response.text()).split("\n")) {
    if (!line.startsWith("data: ")) continue;
    const data = line.slice(6);
    if (data === "[DONE]") done = true;
    else
      text +=
        (JSON.parse(data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta
          .content ?? "";
  }
  return { text, done };
}

// Open WebUI 0.12's default task prompts, abridged (the chat history goes inside them).
const TITLE_TASK = (history: string) =>
  `### Task:\nGenerate a concise, 3-5 word title with an emoji summarizing the chat history.\n### Guidelines:\n- The title should clearly represent the main theme or subject of the conversation.\n### Output:\nJSON format: { "title": "your concise title here" }\n### Chat History:\n<chat_history>\n${history}\n</chat_history>`;
const FOLLOW_UP_TASK = (history: string) =>
  `### Task:\nSuggest 3-5 relevant follow-up questions or prompts that the user might naturally ask next in this conversation as a **user**, based on the chat history, to help continue or deepen the discussion.\n### Output:\nJSON format: { "follow_ups": ["Question 1?", "Question 2?", "Question 3?"] }\n### Chat History:\n<chat_history>\n${history}\n</chat_history>`;
const TAGS_TASK = (history: string) =>
  `### Task:\nGenerate 1-3 broad tags categorizing the main themes of the chat history, along with 1-3 more specific subtopic tags.\n### Output:\nJSON format: { "tags": ["tag1", "tag2", "tag3"] }\n### Chat History:\n<chat_history>\n${history}\n</chat_history>`;

describe("Open WebUI's background tasks through the proxy", () => {
  it("answers the first title task, sent beside the first turn, without waiting for the turn", async () => {
    // The first answer starts and stalls: its run holds the chat's lock.
    gemini.enqueue({ parts: ["Let me think", " more"], stallAfter: 1 });
    gemini.enqueue({ parts: ['{ "title": "🎨 Warm palettes" }'] });
    const stop = new AbortController();
    const turn = await post(
      { model: MODEL, stream: true, messages: [{ role: "user", content: "Warm palette ideas?" }] },
      "olga",
      "chat-title",
      stop.signal,
    );
    const reader = (turn.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();

    const title = await post(
      {
        model: MODEL,
        stream: false,
        max_tokens: 1000,
        messages: [{ role: "user", content: TITLE_TASK("USER: Warm palette ideas?") }],
      },
      "olga",
      "chat-title",
    );
    expect(await contentOf(title)).toBe('{ "title": "🎨 Warm palettes" }');
    stop.abort();
    await reader.cancel().catch(() => {});

    const task = gemini.requests[1];
    expect(task?.body.tools).toBeUndefined();
    expect(JSON.stringify(task?.body.contents)).toContain("### Task:");
    // The chat holds its own (stopped) turn only.
    const key = { userId: "olga", agent: "demo-agent", sessionId: "chat-title" };
    await expect.poll(async () => (await readSession(database.db, key)).turns.length).toBe(1);
    expect(JSON.stringify((await readSession(database.db, key)).turns)).not.toContain("### Task");
  });

  it("keeps follow-up and tag tasks out of the conversation: the next turn continues the chat", async () => {
    const key = { userId: "pavel", agent: "demo-agent", sessionId: "chat-tasks" };
    const q1 = { role: "user", content: "Name a calm color" };
    gemini.enqueue({ parts: ["Sage green."] });
    const a1 = (
      await streamed(
        await post({ model: MODEL, stream: true, messages: [q1] }, "pavel", "chat-tasks"),
      )
    ).text;
    expect(a1).toBe("Sage green.");

    const history = `USER: ${q1.content}\nASSISTANT: ${a1}`;
    gemini.enqueue(
      { parts: ['{ "follow_ups": ["Why sage?"] }'] },
      { parts: ['{ "tags": ["Design"] }'] },
    );
    for (const prompt of [FOLLOW_UP_TASK(history), TAGS_TASK(history)]) {
      await contentOf(
        await post(
          { model: MODEL, stream: false, messages: [{ role: "user", content: prompt }] },
          "pavel",
          "chat-tasks",
        ),
      );
    }

    gemini.enqueue({ parts: ["Because it is soft."] });
    const next = await streamed(
      await post(
        {
          model: MODEL,
          stream: true,
          messages: [q1, { role: "assistant", content: a1 }, { role: "user", content: "Why?" }],
        },
        "pavel",
        "chat-tasks",
      ),
    );
    expect(next).toEqual({ text: "Because it is soft.", done: true });
    const session = await readSession(database.db, key);
    expect(session.turns.map((t) => t.answer)).toEqual(["Sage green.", "Because it is soft."]);
    expect(branchOf(session).map((t) => t.answer)).toEqual(["Sage green.", "Because it is soft."]);
  });
});

describe("the connection's task header (X-OpenWebUI-Task: {{TASK}})", () => {
  it("is empty on chat turns, which stay turns, and names the task on tasks, whatever their prompt", async () => {
    const key = { userId: "sara", agent: "demo-agent", sessionId: "chat-header" };
    const q1 = { role: "user", content: "Name a warm color" };
    gemini.enqueue({ parts: ["Amber."] });
    const turn = await streamed(
      await post({ model: MODEL, stream: true, messages: [q1] }, "sara", "chat-header", undefined, {
        "X-OpenWebUI-Task": "",
      }),
    );
    expect(turn.text).toBe("Amber.");
    // A custom title template that does not start with "### Task:".
    gemini.enqueue({ parts: ['{"title": "Warm colors"}'] });
    const title = await post(
      {
        model: MODEL,
        stream: false,
        messages: [{ role: "user", content: `Give this chat a title: ${q1.content}` }],
      },
      "sara",
      "chat-header",
      undefined,
      { "X-OpenWebUI-Task": "title_generation" },
    );
    expect(await contentOf(title)).toBe('{"title": "Warm colors"}');
    expect(gemini.requests.at(-1)?.body.tools).toBeUndefined();
    const session = await readSession(database.db, key);
    expect(session.turns.map((t) => t.answer)).toEqual(["Amber."]);
  });
});

describe("Open WebUI's Continue button through the proxy", () => {
  it("streams only the continuation and stores the whole answer for the next turn", async () => {
    const key = { userId: "rosa", agent: "demo-agent", sessionId: "chat-continue" };
    const q1 = { role: "user", content: "Describe teal" };
    gemini.enqueue({ parts: ["Teal sits between"], finishReason: "MAX_TOKENS" });
    const a1 = (
      await streamed(
        await post({ model: MODEL, stream: true, messages: [q1] }, "rosa", "chat-continue"),
      )
    ).text;

    gemini.enqueue({ parts: [" blue and green."] });
    const more = await streamed(
      await post(
        { model: MODEL, stream: true, messages: [q1, { role: "assistant", content: a1 }] },
        "rosa",
        "chat-continue",
      ),
    );
    expect(more).toEqual({ text: " blue and green.", done: true });
    expect(JSON.stringify(gemini.requests.at(-1)?.body.contents)).toMatch(
      /Describe teal.*Teal sits between.*Continue your previous answer/,
    );

    gemini.enqueue({ parts: ["It calms."] });
    await streamed(
      await post(
        {
          model: MODEL,
          stream: true,
          messages: [
            q1,
            { role: "assistant", content: a1 + more.text },
            { role: "user", content: "And its mood?" },
          ],
        },
        "rosa",
        "chat-continue",
      ),
    );
    expect(JSON.stringify(gemini.requests.at(-1)?.body.contents)).not.toContain(
      "Continue your previous answer",
    );
    const branch = branchOf(await readSession(database.db, key));
    expect(branch.map((t) => t.answer)).toEqual(["Teal sits between blue and green.", "It calms."]);
  });
});
