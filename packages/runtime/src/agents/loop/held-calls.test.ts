import { CredentialRequiredError, defineToolkit, type PluginLogger } from "@agentllm/sdk";
import type { Content, Part } from "@google/genai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { scriptedModel } from "../../testing/scripted-model.ts";
import type { AgentEvent } from "./agent-event.ts";
import { AWAITING_APPROVAL, type HeldCall, runAgent } from "./run-agent.ts";
import { toGeminiTools } from "./to-gemini-tools.ts";

const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const ran: string[] = [];
const kit = defineToolkit({
  name: "kit",
  tools: {
    look: {
      description: "Reads.",
      parameters: z.object({}),
      execute: () => {
        ran.push("look");
        return { seen: 1 };
      },
    },
    locked: {
      description: "Needs a credential.",
      parameters: z.object({}),
      execute: () => {
        throw new CredentialRequiredError("kit", "not connected");
      },
    },
    write: {
      description: "Writes.",
      parameters: z.object({ n: z.number().int().max(10) }),
      sideEffect: { describe: ({ n }: { n: number }) => `Write ${n}` },
      execute: () => {
        ran.push("write");
        return { ok: true };
      },
    },
  },
});

async function run(parts: Part[], options: { gate?: boolean; connect?: boolean } = {}) {
  ran.length = 0;
  const held: HeldCall[][] = [];
  const events: AgentEvent[] = [];
  for await (const event of runAgent({
    client: scriptedModel([parts]),
    model: "m",
    systemInstruction: "",
    contents: [{ role: "user", parts: [{ text: "go" }] }],
    toolset: toGeminiTools([kit]),
    generationConfig: {},
    maxSteps: 3,
    toolEnv: {
      userId: "u",
      sessionId: "s",
      signal: new AbortController().signal,
      defaultTimeoutMs: 1000,
      logger: quiet,
      settingsFor: () => ({
        get: async () => undefined,
        set: async () => {},
        delete: async () => {},
      }),
    },
    ...(options.gate === false
      ? {}
      : {
          approval: {
            request: async (calls) => {
              held.push([...calls]);
              return "Approve?";
            },
          },
        }),
    ...(options.connect ? { connectAnswer: async () => "Connect first." } : {}),
  })) {
    events.push(event);
  }
  const finish = events.at(-1) as Extract<AgentEvent, { type: "finish" }>;
  const text = events.map((e) => (e.type === "text-delta" ? e.text : "")).join("");
  const responses = (finish.newContents as Content[])
    .flatMap((c) => c.parts ?? [])
    .filter((p) => p.functionResponse)
    .map((p) => [p.functionResponse?.name, p.functionResponse?.response]);
  return { held, text, responses, events };
}

describe("side-effect calls in the loop", () => {
  it("are held (validated, described) while the step's reads run; the run ends with the gate's text", async () => {
    const { held, text, responses, events } = await run([
      { text: "On it." },
      { functionCall: { name: "look", args: {} } },
      { functionCall: { name: "write", args: { n: 3 } } },
    ]);
    expect(ran).toEqual(["look"]);
    expect(held).toEqual([
      [
        expect.objectContaining({
          name: "write",
          args: { n: 3 },
          validated: { n: 3 },
          description: "Write 3",
        }),
      ],
    ]);
    expect(text).toBe("On it.\n\nApprove?");
    expect(responses).toEqual([
      ["look", { seen: 1 }],
      ["write", AWAITING_APPROVAL],
    ]);
    // No tool card for the held call.
    expect(
      events.filter((e) => e.type === "tool-result").map((e) => (e as { name: string }).name),
    ).toEqual(["look"]);
  });

  it("with invalid arguments are not held: the model gets the usual error and nothing runs", async () => {
    const { held, responses } = await run([{ functionCall: { name: "write", args: { n: 99 } } }]);
    expect(held).toEqual([]);
    expect(ran).toEqual([]);
    expect(JSON.stringify(responses[0])).toContain("Invalid arguments for 'write'");
  });

  it("never run without a gate (no user or conversation): an error result says why", async () => {
    const { responses } = await run([{ functionCall: { name: "write", args: { n: 1 } } }], {
      gate: false,
    });
    expect(ran).toEqual([]);
    expect(JSON.stringify(responses[0])).toContain("needs the user's approval");
  });

  it("yield to the connect detour: nothing is put up for approval, and the model is told to ask again", async () => {
    const { held, text, responses } = await run(
      [
        { functionCall: { name: "locked", args: {} } },
        { functionCall: { name: "write", args: { n: 1 } } },
      ],
      { connect: true },
    );
    expect(held).toEqual([]);
    expect(ran).toEqual([]);
    expect(text).toBe("Connect first.");
    expect(JSON.stringify(responses[1])).toContain("must first connect");
  });
});
