import { defineToolkit, type PluginLogger } from "@agentllm/sdk";
import type { Part } from "@google/genai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { connectAnswer } from "../../connect/connect-answer.ts";
import { MemoryCredentialVault } from "../../testing/memory-credential-vault.ts";
import { scriptedModel } from "../../testing/scripted-model.ts";
import { RequestCredentials } from "../../vault/request-credentials.ts";
import type { AgentEvent } from "./agent-event.ts";
import { runAgent } from "./run-agent.ts";
import { toGeminiTools } from "./to-gemini-tools.ts";

const TOKEN = "planted-secret-token-7f3a9c";

/** A logger that keeps every line, to look for the planted secret. */
function recordingLogger(): PluginLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (fields: unknown, message?: string) => {
    lines.push(`${JSON.stringify(fields)} ${message ?? ""}`);
  };
  return { lines, debug: log, info: log, warn: log, error: log };
}

// Echoes its token, as a careless tool might: the scrub must catch it.
const service = defineToolkit({
  name: "service",
  credential: {
    kind: "api-token",
    title: "Service",
    fields: { token: { label: "Token", secret: true } },
  },
  tools: {
    whoami: {
      description: "Who the user is.",
      parameters: z.object({}),
      async execute(_args, ctx) {
        const { token } = await ctx.credential.get();
        if (token === "revoked-token-value")
          return ctx.credential.rejected("Service refused the token (401)");
        throw new Error(`request with Authorization: Bearer ${token} failed`);
      },
    },
    echo: {
      description: "Echoes the token.",
      parameters: z.object({}),
      async execute(_args, ctx) {
        const values = await ctx.credential.get();
        return { sent: `Bearer ${values.token}`, url: `https://x.example/?t=${values.token}` };
      },
    },
  },
});

async function run(userId: string | undefined, vault: MemoryCredentialVault, turns: Part[][]) {
  const model = scriptedModel(turns);
  const logger = recordingLogger();
  const events: AgentEvent[] = [];
  for await (const event of runAgent({
    client: model,
    model: "gemini-2.5-flash",
    systemInstruction: "",
    contents: [{ role: "user", parts: [{ text: "who am I?" }] }],
    toolset: toGeminiTools([service]),
    generationConfig: {},
    maxSteps: 4,
    toolEnv: {
      userId,
      sessionId: undefined,
      signal: new AbortController().signal,
      defaultTimeoutMs: 5000,
      logger,
      settingsFor: () => ({
        get: async () => undefined,
        set: async () => {},
        delete: async () => {},
      }),
      credentials: new RequestCredentials(vault, userId, logger),
    },
    connectAnswer: (missing) =>
      connectAnswer(missing, {
        userId,
        logger,
        links: {
          linkFor: async (user, toolkit) => `https://agents.example/connect/${toolkit}?for=${user}`,
        },
      }),
  })) {
    events.push(event);
  }
  const finish = events.at(-1);
  if (finish?.type !== "finish") throw new Error("no finish");
  const text = events
    .flatMap((event) => (event.type === "text-delta" ? [event.text] : []))
    .join("");
  return { model, logger, events, finish, text };
}

describe("the connect detour", () => {
  it("ends the turn with the connect link instead of giving the model an error", async () => {
    const { model, finish, text, events } = await run("alice", new MemoryCredentialVault(), [
      [{ functionCall: { name: "whoami", args: {} } }],
    ]);
    expect(model.calls).toHaveLength(1);
    expect(text).toContain("[Connect Service](https://agents.example/connect/service?for=alice)");
    expect(finish.finishReason).toBe("stop");
    // Not a failed call: no `error` field, which Open WebUI's tool card draws as a red ✗.
    const card = events.find((event) => event.type === "tool-result");
    expect(card).toMatchObject({ isError: false, result: { not_connected: "Service" } });
    expect(card).not.toHaveProperty("result.error");
    // Stored as if the model had answered so: its call, the result, the connect answer.
    expect(finish.newContents.map((content) => content.role)).toEqual(["model", "user", "model"]);
    const response = finish.newContents[1]?.parts?.[0]?.functionResponse?.response;
    expect(String(response?.note)).toContain("given a link to connect it");
    expect(finish.newContents[2]?.parts?.[0]?.text).toBe(text);
  });

  it("tells an anonymous user a signed-in user is needed", async () => {
    const { text, events } = await run(undefined, new MemoryCredentialVault(), [
      [{ functionCall: { name: "whoami", args: {} } }],
    ]);
    expect(text).toContain("needs a signed-in user");
    const card = events.find((event) => event.type === "tool-result");
    expect(card).toMatchObject({ isError: false, result: { not_connected: "Service" } });
    expect(JSON.stringify(card)).toContain("Nobody is signed in");
  });

  it("forgets a rejected credential and sends the user to connect again", async () => {
    const vault = new MemoryCredentialVault();
    await vault.put("alice", "service", {
      kind: "api-token",
      secrets: { token: "revoked-token-value" },
      metadata: {},
    });
    const { text, events } = await run("alice", vault, [
      [{ functionCall: { name: "whoami", args: {} } }],
    ]);
    expect(text).toContain("Service refused the token (401)");
    expect(text).toContain("[Connect Service]");
    expect(await vault.get("alice", "service")).toBeUndefined();
    // A refused credential is a failed call, and its card says so.
    const card = events.find((event) => event.type === "tool-result");
    expect(card).toMatchObject({ isError: true });
    expect(JSON.stringify(card)).toContain(
      "Service did not accept the user's credentials (Service refused the token (401))",
    );
  });

  it("keeps a planted secret from the model, the tool card, the stored steps and the logs", async () => {
    const vault = new MemoryCredentialVault();
    await vault.put("alice", "service", {
      kind: "api-token",
      secrets: { token: TOKEN },
      metadata: {},
    });
    const { model, logger, events, finish } = await run("alice", vault, [
      [
        { functionCall: { name: "whoami", args: {} } },
        { functionCall: { name: "echo", args: {} } },
      ],
      [{ text: "You are alice." }],
    ]);
    expect(model.calls).toHaveLength(2);
    const sent = JSON.stringify(model.calls[1]?.contents);
    expect(sent).toContain("[redacted]");
    expect(sent).not.toContain(TOKEN);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect(JSON.stringify(finish.newContents)).not.toContain(TOKEN);
    expect(logger.lines.join("\n")).not.toContain(TOKEN);
    expect(logger.lines.join("\n")).toContain("tool failure detail");
  });
});
