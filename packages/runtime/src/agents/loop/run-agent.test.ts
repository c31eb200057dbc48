import type { ToolkitDefinition } from "@agentllm/sdk";
import type { Part } from "@google/genai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { scriptedModel } from "../../testing/scripted-model.ts";
import type { AgentEvent } from "./agent-event.ts";
import { runAgent } from "./run-agent.ts";
import { toGeminiTools } from "./to-gemini-tools.ts";

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), "utf8");

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
      toolEnv: {
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
      },
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
});
