import type { FakeGemini } from "@agentllm/testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { branchOf, readSession, type SessionKey } from "../src/sessions/index.ts";
import { type RuntimeHarness, startRuntimeHarness } from "./runtime-harness.ts";

// What Open WebUI sends besides plain chat turns (see shared/open-webui-notes.md): background
// tasks on the chat's own id, the Continue button, answers whose markup comes back changed.
// The same requests through the real proxy are in packages/stack/test/open-webui-requests.test.ts.

const AGENT = "agno/test-agent";
let h: RuntimeHarness;
let gemini: FakeGemini;

beforeAll(async () => {
  h = await startRuntimeHarness();
  gemini = h.gemini;
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  gemini.reset();
});

type Message = { role: string; content: string };

function chat(
  messages: Message[],
  headers: Record<string, string>,
  options: { stream?: boolean; signal?: AbortSignal } = {},
) {
  return h.fetch("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: AGENT, stream: options.stream ?? false, messages }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

const who = (user: string, session: string) => ({
  "X-AgentLLM-User-Id": user,
  "X-AgentLLM-Session-Id": session,
});
const key = (userId: string, sessionId: string): SessionKey => ({
  userId,
  agent: "test-agent",
  sessionId,
});

async function answerOf(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? "";
}

/** Open WebUI's title task, as 0.12 words it (the chat so far inside the prompt). */
function titleTask(history: string): Message[] {
  return [
    {
      role: "user",
      content: `### Task:\nGenerate a concise, 3-5 word title with an emoji summarizing the chat history.\n### Output:\nJSON format: { "title": "your concise title here" }\n### Chat History:\n<chat_history>\n${history}\n</chat_history>`,
    },
  ];
}

describe("background tasks", () => {
  it("answers a task prompt at once while the chat's own run holds the session, and stores nothing", async () => {
    // The chat's first answer starts, then stalls: its run holds the session's lock.
    gemini.enqueue({ parts: ["Thinking about ", "it"], stallAfter: 1 });
    gemini.enqueue({ parts: ['{ "title": "🎨 Palette ideas" }'] });
    const running = new AbortController();
    const first = await chat(
      [{ role: "user", content: "Ideas for a palette?" }],
      who("tia", "c1"),
      {
        stream: true,
        signal: running.signal,
      },
    );
    const reader = (first.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();

    const title = await chat(titleTask("USER: Ideas for a palette?"), who("tia", "c1"));
    expect(await answerOf(title)).toBe('{ "title": "🎨 Palette ideas" }');
    running.abort();
    await reader.cancel().catch(() => {});

    const task = gemini.requests[1];
    // One plain call: no tools, not the agent's instructions, no thinking.
    expect(task?.body.tools).toBeUndefined();
    expect(JSON.stringify(task?.body.systemInstruction ?? "")).not.toContain("test agent");
    expect(task?.body.generationConfig?.thinkingConfig).toEqual({ thinkingBudget: 0 });
    // Only the chat's own (aborted) turn is stored; the title is not part of the chat.
    await expect
      .poll(async () => (await readSession(h.db.db, key("tia", "c1"))).turns.length)
      .toBe(1);
    const [turn] = (await readSession(h.db.db, key("tia", "c1"))).turns;
    expect(JSON.stringify(turn?.input)).not.toContain("### Task");
  });

  it("takes the task header the bridge forwards as a task, whatever the prompt says", async () => {
    gemini.enqueue({ parts: ["Follow-up one?"] });
    const response = await chat([{ role: "user", content: "Suggest follow-ups" }], {
      ...who("tia", "c2"),
      "X-AgentLLM-Task": "follow_up_generation",
    });
    expect(await answerOf(response)).toBe("Follow-up one?");
    expect(gemini.requests[0]?.body.tools).toBeUndefined();
    expect((await readSession(h.db.db, key("tia", "c2"))).turns).toEqual([]);
  });

  it("takes a task name of 64 characters and refuses one of 65", async () => {
    gemini.enqueue({ parts: ["ok"] });
    const longest = await chat([{ role: "user", content: "hi" }], {
      "X-AgentLLM-Task": "t".repeat(64),
    });
    expect(await answerOf(longest)).toBe("ok");
    const over = await chat([{ role: "user", content: "hi" }], {
      "X-AgentLLM-Task": "t".repeat(65),
    });
    expect(over.status).toBe(400);
  });

  it("refuses a task header that is not a task name", async () => {
    const response = await chat([{ role: "user", content: "hi" }], {
      "X-AgentLLM-Task": "{{TASK}} ../../",
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; param: string } };
    expect(error).toMatchObject({ code: "invalid_task", param: "x-agentllm-task" });
  });
});

describe("Continue (an answer at the end of the history)", () => {
  it("continues the stored answer with its tool steps and stores the whole answer as one turn", async () => {
    gemini.enqueue(
      { parts: [{ functionCall: { name: "echo", args: { text: "red" } } }] },
      { parts: ["Red is warm and"] },
    );
    const q1 = { role: "user", content: "Tell me about red" };
    const a1 = await answerOf(await chat([q1], who("uma", "c1")));
    expect(a1).toContain("Red is warm and");

    // Continue: the history ends with the answer as Open WebUI shows it (tool card included).
    gemini.enqueue({ parts: [" bright."] });
    const more = await answerOf(
      await chat([q1, { role: "assistant", content: a1 }], who("uma", "c1")),
    );
    expect(more).toBe(" bright.");
    const continued = JSON.stringify(gemini.requests.at(-1)?.body.contents);
    expect(continued).toContain('"functionCall"');
    expect(continued).toContain("Continue your previous answer");

    // The client now shows one answer: the stored turn for it is the continued whole, and the
    // next message finds it, tool steps included.
    const whole = `${a1}${more}`;
    gemini.enqueue({ parts: ["Sure."] });
    await answerOf(
      await chat(
        [q1, { role: "assistant", content: whole }, { role: "user", content: "And blue?" }],
        who("uma", "c1"),
      ),
    );
    const next = JSON.stringify(gemini.requests.at(-1)?.body.contents);
    expect(next).toContain('"functionCall"');
    expect(next).toContain("bright.");
    expect(next).not.toContain("Continue your previous answer");
    const session = await readSession(h.db.db, key("uma", "c1"));
    const branch = branchOf(session);
    expect(branch.map((t) => t.answer)).toEqual(["Red is warm and bright.", "Sure."]);
    expect(session.turns).toHaveLength(3);
  });

  it("continues without a session, from the client's text alone", async () => {
    gemini.enqueue({ parts: [" world"] });
    const more = await answerOf(
      await chat(
        [
          { role: "user", content: "Say hello world" },
          { role: "assistant", content: "Hello" },
        ],
        {},
      ),
    );
    expect(more).toBe(" world");
  });
});

describe("history matching survives markup", () => {
  it("matches an answer that quotes tool-card and thinking markup, keeping its tool steps", async () => {
    const quoted =
      'Tool cards look like <details type="tool_calls" done="true" name="echo" arguments="{}" result="{}">\n<summary>Tool Executed</summary>\n</details> and <think>this</think>that is it.';
    gemini.enqueue(
      { parts: [{ functionCall: { name: "echo", args: { text: "x" } } }] },
      { parts: [quoted] },
    );
    const q1 = { role: "user", content: "How do tool cards look?" };
    const a1 = await answerOf(await chat([q1], who("vic", "c1")));
    gemini.enqueue({ parts: ["ok"] });
    await answerOf(
      await chat(
        [q1, { role: "assistant", content: a1 }, { role: "user", content: "Thanks" }],
        who("vic", "c1"),
      ),
    );
    expect(JSON.stringify(gemini.requests.at(-1)?.body.contents)).toContain('"functionCall"');
    const turns = (await readSession(h.db.db, key("vic", "c1"))).turns;
    expect(turns[1]?.parentId).toBe(turns[0]?.id);
  });
});

describe("abandoned runs", () => {
  it("frees the conversation when a non-stream client goes away: the next request does not wait", async () => {
    gemini.enqueue({ parts: ["never"], stallAfter: 0 });
    const gone = new AbortController();
    const abandoned = chat([{ role: "user", content: "slow one" }], who("walt", "c1"), {
      signal: gone.signal,
    }).catch(() => undefined);
    await expect.poll(() => gemini.requests.length).toBe(1);
    gone.abort();
    await abandoned;
    await expect.poll(() => gemini.requests[0]?.aborted).toBe(true);
    gemini.enqueue({ parts: ["fast"] });
    expect(await answerOf(await chat([{ role: "user", content: "next" }], who("walt", "c1")))).toBe(
      "fast",
    );
  });
});
