import type { ToolkitDefinition } from "@agentllm/sdk";
import type { Part } from "@google/genai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { scriptedModel } from "../../testing/scripted-model.ts";
import type { AgentEvent } from "./agent-event.ts";
import { runAgent } from "./run-agent.ts";
import { toGeminiTools } from "./to-gemini-tools.ts";

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

const quietEnv = () => ({
  userId: undefined,
  sessionId: undefined,
  signal: new AbortController().signal,
  defaultTimeoutMs: 5000,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  settingsFor: () => ({
    get: async () => undefined,
    set: async () => {},
    delete: async () => {},
  }),
});

/** A toolkit whose one tool records how many of its calls run at the same time. */
function concurrencyProbe() {
  const probe = { running: 0, most: 0, ran: [] as number[] };
  const kit: ToolkitDefinition = {
    name: "probe",
    tools: {
      wait: {
        description: "Waits a moment.",
        parameters: z.object({ n: z.number() }),
        async execute({ n }: { n: number }) {
          probe.running += 1;
          probe.most = Math.max(probe.most, probe.running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          probe.running -= 1;
          probe.ran.push(n);
          return { n };
        },
      },
    },
  };
  return { probe, kit };
}

async function oneStepOf(
  calls: number,
  kit: ToolkitDefinition,
  limits: { maxParallelTools?: number; maxToolCallsPerStep?: number },
) {
  const model = scriptedModel([
    Array.from({ length: calls }, (_, n) => ({ functionCall: { name: "wait", args: { n } } })),
  ]);
  const results: { result: unknown; isError: boolean }[] = [];
  for await (const event of runAgent({
    client: model,
    model: "gemini-2.5-flash",
    systemInstruction: "",
    contents: [{ role: "user", parts: [{ text: "go" }] }],
    toolset: toGeminiTools([kit]),
    generationConfig: {},
    maxSteps: 2,
    toolEnv: quietEnv(),
    ...limits,
  })) {
    if (event.type === "tool-result")
      results.push({ result: event.result, isError: event.isError });
  }
  return results;
}

describe("runAgent", () => {
  it("gives the model, the stored steps and the tool card the same capped tool result", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, text: `row ${i} `.repeat(5) }));
    const kit: ToolkitDefinition = {
      name: "big",
      tools: {
        list_rows: {
          description: "Lists rows.",
          parameters: z.object({}),
          execute: () => ({ rows }),
          maxResultBytes: 4096,
        },
      },
    };
    const model = scriptedModel([[{ functionCall: { name: "list_rows", args: {} } }]]);
    const events: AgentEvent[] = [];
    for await (const event of runAgent({
      client: model,
      model: "gemini-2.5-flash",
      systemInstruction: "",
      contents: [{ role: "user", parts: [{ text: "rows please" }] }],
      toolset: toGeminiTools([kit]),
      generationConfig: {},
      maxSteps: 3,
      toolEnv: quietEnv(),
    })) {
      events.push(event);
    }

    const card = events.find((event) => event.type === "tool-result");
    if (card?.type !== "tool-result") throw new Error("no tool result");
    expect(bytes(card.result)).toBeLessThanOrEqual(4096);
    expect((card.result as { truncated: string }).truncated).toContain(
      `of ${bytes({ rows })} bytes shown`,
    );

    const sentBack = model.calls[1]?.contents as { parts?: Part[] }[];
    const response = sentBack.at(-1)?.parts?.[0]?.functionResponse?.response;
    expect(response).toEqual(card.result);

    const finish = events.at(-1);
    if (finish?.type !== "finish") throw new Error("no finish");
    const stored = finish.newContents.flatMap((content) => content.parts ?? []);
    expect(stored.find((part) => part.functionResponse)?.functionResponse?.response).toEqual(
      card.result,
    );
  });

  it("separates one step's thought summary from the next one's with a blank line", async () => {
    const kit: ToolkitDefinition = {
      name: "kit",
      tools: { look: { description: "Looks.", parameters: z.object({}), execute: () => ({}) } },
    };
    const model = scriptedModel([
      [
        { text: "**Plan**\n\nI look.", thought: true },
        { functionCall: { name: "look", args: {} } },
      ],
      [
        { text: "**Answer**", thought: true },
        { text: "\n\nDone.", thought: true },
        { text: "Found it." },
      ],
    ]);
    let reasoning = "";
    for await (const event of runAgent({
      client: model,
      model: "gemini-2.5-flash",
      systemInstruction: "",
      contents: [{ role: "user", parts: [{ text: "go" }] }],
      toolset: toGeminiTools([kit]),
      generationConfig: {},
      maxSteps: 3,
      toolEnv: quietEnv(),
    })) {
      if (event.type === "reasoning-delta") reasoning += event.text;
    }
    expect(reasoning).toBe("**Plan**\n\nI look.\n\n**Answer**\n\nDone.");
  });

  it("runs a step's tool calls side by side, at most maxParallelTools at once, results in order", async () => {
    const { probe, kit } = concurrencyProbe();
    const results = await oneStepOf(10, kit, { maxParallelTools: 3 });
    expect(probe.most).toBe(3);
    expect(results.map((r) => (r.result as { n: number }).n)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });

  it("answers the calls past maxToolCallsPerStep with an error the model sees, without running them", async () => {
    const { probe, kit } = concurrencyProbe();
    const results = await oneStepOf(6, kit, { maxToolCallsPerStep: 4 });
    expect(probe.ran.sort()).toEqual([0, 1, 2, 3]);
    expect(results.map((r) => r.isError)).toEqual([false, false, false, false, true, true]);
    expect(JSON.stringify(results[5]?.result)).toContain("at most 4");
  });
});

describe("runAgent status events", () => {
  it("announces each call when the step's tools start and marks each done as it finishes", async () => {
    // `slow` finishes only after `quick` has run: the done events follow finishing order.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const kit: ToolkitDefinition = {
      name: "kit",
      tools: {
        slow: {
          description: "Waits for quick.",
          parameters: z.object({ key: z.string() }),
          status: (args: { key: string }) => `Reading ${args.key}…`,
          async execute() {
            await gate;
            return { ok: true };
          },
        },
        quick: {
          description: "Returns at once.",
          parameters: z.object({}),
          execute() {
            release();
            return { ok: true };
          },
        },
      },
    };
    const model = scriptedModel([
      [
        { functionCall: { name: "slow", args: { key: "PROJ-1" } } },
        { functionCall: { name: "quick", args: {} } },
      ],
      [{ text: "Done." }],
    ]);
    const seen: string[] = [];
    for await (const event of runAgent({
      client: model,
      model: "gemini-2.5-flash",
      systemInstruction: "",
      contents: [{ role: "user", parts: [{ text: "go" }] }],
      toolset: toGeminiTools([kit]),
      generationConfig: {},
      maxSteps: 3,
      toolEnv: quietEnv(),
    })) {
      if (event.type === "status") seen.push(`${event.description} done=${event.done}`);
      if (event.type === "tool-result") seen.push(`result ${event.name}`);
      if (event.type === "text-delta") seen.push(`text ${event.text}`);
    }
    expect(seen).toEqual([
      "Reading PROJ-1… done=false",
      "Using the quick tool… done=false",
      "Using the quick tool — done done=true",
      "Reading PROJ-1 — done done=true",
      "result slow",
      "result quick",
      "text Done.",
    ]);
  });

  it("announces no status for calls past maxToolCallsPerStep, which do not run", async () => {
    const { kit } = concurrencyProbe();
    const model = scriptedModel([
      Array.from({ length: 3 }, (_, n) => ({ functionCall: { name: "wait", args: { n } } })),
    ]);
    const statuses: AgentEvent[] = [];
    for await (const event of runAgent({
      client: model,
      model: "gemini-2.5-flash",
      systemInstruction: "",
      contents: [{ role: "user", parts: [{ text: "go" }] }],
      toolset: toGeminiTools([kit]),
      generationConfig: {},
      maxSteps: 1,
      toolEnv: quietEnv(),
      maxToolCallsPerStep: 2,
    })) {
      if (event.type === "status") statuses.push(event);
    }
    expect(statuses.filter((e) => e.type === "status" && !e.done)).toHaveLength(2);
    expect(statuses.filter((e) => e.type === "status" && e.done)).toHaveLength(2);
  });
});
