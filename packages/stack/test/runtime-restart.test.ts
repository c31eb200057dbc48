import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChildService } from "../src/child-service.ts";
import { settleWithin } from "./settle-within.ts";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// The launcher heals the stack: the runtime is killed from outside (kill -9 of its process
// group, as the OOM killer or an operator would), a client calling meanwhile gets a quick 503
// from the real proxy, the launcher starts a new runtime on its own, and the conversation goes
// on with its stored history (the tool call the client never saw reaches the model again).

const MODEL = "agno/demo-agent";
const USER = "restart-user";
const CHAT = "restart-chat";
const identity = { headers: { "X-OpenWebUI-User-Id": USER, "X-OpenWebUI-Chat-Id": CHAT } };
// A longer first delay than the default 0.5 s keeps the runtime down long enough for the test's
// request to find it down, however slow the machine; the path under test is the same.
const FIRST_RESTART_DELAY_MS = 2_000;

let fx: StackFixture;
const launcher: string[] = [];

beforeAll(async () => {
  fx = await startStackFixture({
    restart: { initialDelayMs: FIRST_RESTART_DELAY_MS },
    log: (line) => launcher.push(line),
  });
}, 120_000);

afterAll(async () => {
  await fx?.close();
});

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const outcome = await settleWithin(timeoutMs, async () => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 50));
  });
  if (!outcome.settled)
    throw new Error(`no ${what} after ${timeoutMs} ms:\n${launcher.join("\n")}`);
}

describe("the launcher restarts a runtime that died", () => {
  it("answers 503 while it is down, restarts it, and the conversation continues", async () => {
    const question = "My favorite color is green";
    fx.gemini.enqueue(
      { parts: [{ functionCall: { name: "set_favorite_color", args: { color: "green" } } }] },
      { parts: ["Green it is!"] },
    );
    const first = await fx.client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: question }] },
      identity,
    );
    const firstAnswer = first.choices[0]?.message.content ?? "";
    expect(firstAnswer).toContain("Green it is!");

    // kill -9 of the runtime's process group, behind the launcher's back.
    const victim: ChildService = fx.stack.runtime;
    const pid = victim.process.pid;
    if (!pid) throw new Error("the runtime has no pid");
    process.kill(-pid, "SIGKILL");
    await victim.exited;

    // Down: the proxy answers at once with 503, it does not hang.
    const down = await settleWithin(15_000, async () => {
      await fx.client.chat.completions.create(
        { model: MODEL, messages: [{ role: "user", content: "Anyone there?" }] },
        { headers: { "X-OpenWebUI-User-Id": USER, "X-OpenWebUI-Chat-Id": "other-chat" } },
      );
    });
    const downError = down.error;
    expect(down.settled, "the request hangs while the runtime is down").toBe(true);
    expect(downError).toBeInstanceOf(OpenAI.APIError);
    expect((downError as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect(fx.stack.runtime, "restarted before the down request was answered").toBe(victim);

    // Back without anyone calling restartRuntime().
    await until(
      () => launcher.some((line) => line.includes("is ready again")),
      "restarted runtime",
      90_000,
    );
    const restarted = fx.stack.runtime;
    expect(restarted).not.toBe(victim);
    expect(restarted.process.pid).not.toBe(pid);
    expect(launcher[0]).toMatch(
      new RegExp(
        `^runtime \\(pid ${pid}\\) was killed by SIGKILL after [\\d.]+ s; restart 1 of at most \\d+ in ${FIRST_RESTART_DELAY_MS} ms$`,
      ),
    );
    expect(launcher[1]).toBe(`runtime restarted (pid ${restarted.process.pid}, restart 1)`);

    // The same conversation, as Open WebUI sends it: the whole history and a new question.
    fx.gemini.enqueue({ parts: ["Still green."] });
    const second = await fx.client.chat.completions.create(
      {
        model: MODEL,
        messages: [
          { role: "user", content: question },
          { role: "assistant", content: firstAnswer },
          { role: "user", content: "What did I tell you?" },
        ],
      },
      identity,
    );
    expect(second.choices[0]?.message.content).toBe("Still green.");
    const modelCall = fx.gemini.requests.filter((r) => r.method === "streamGenerateContent").at(-1);
    const contents = JSON.stringify(modelCall?.body.contents);
    // The stored turn's tool call and result: only the session store had them.
    expect(contents).toContain('"functionCall"');
    expect(contents).toContain("set_favorite_color");
    expect(contents).toContain("functionResponse");
    expect(contents).toContain("What did I tell you?");
  }, 150_000);
});
