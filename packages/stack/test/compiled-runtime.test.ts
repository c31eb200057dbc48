import { readFileSync } from "node:fs";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCompiled } from "../src/compiled-build.ts";
import { paths } from "../src/repo-paths.ts";
import { RUNTIME_NODE_OPTIONS } from "../src/start-stack.ts";
import { joinedContent } from "./proxy-client.ts";
import { type StackFixture, startStackFixture } from "./stack-fixture.ts";

// The production form end to end: the runtime compiled by `npx just build`, run by plain node
// with `--conditions=production` (no tsx), loading the demo agent, the color toolkit and the
// SDK from their compiled `production` exports, behind the real LiteLLM proxy. Plain node
// cannot import TypeScript, so every answer here proves the compiled files were loaded.
let fx: StackFixture;
let client: OpenAI;

beforeAll(async () => {
  // `just test` has built already (then this is a no-op); `npx vitest run` alone builds here,
  // so a missing or stale dist in a dev checkout is brought up to date rather than failing.
  await buildCompiled();
  fx = await startStackFixture({ runtime: "compiled" });
  client = fx.client;
}, 180_000);

afterAll(async () => {
  await fx?.close();
});

const MODEL = "agno/demo-agent";

describe("the compiled runtime through the LiteLLM proxy", () => {
  it("runs dist/main.js under plain node with the production condition", () => {
    const args = fx.stack.runtime.process.spawnargs;
    expect(args).toContain("--conditions=production");
    expect(args.at(-1)).toBe(paths.runtimeCompiledMain);
    expect(args.join(" ")).not.toContain("tsx");
  });

  it("runs with the runtime's V8 heap settings, which NODE_OPTIONS could still override", () => {
    const pid = fx.stack.runtime.process.pid;
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    const nodeOptions = environ.find((entry) => entry.startsWith("NODE_OPTIONS="));
    expect(nodeOptions?.startsWith(`NODE_OPTIONS=${RUNTIME_NODE_OPTIONS}`)).toBe(true);
  });

  it("lists the three agents, each loaded from its compiled package", async () => {
    const agents = [MODEL, "agno/release-manager", "agno/sprint-reviewer"];
    // The proxy lists what its config names; the runtime lists what it loaded.
    const listed = await client.models.list();
    expect(listed.data.map((m) => m.id)).toEqual(expect.arrayContaining(agents));
    const loaded = await fx.runtimeClient.models.list();
    expect(loaded.data.map((m) => m.id).sort()).toEqual(agents.sort());
  });

  it("answers with a tool call: the call, the function response and the tool card", async () => {
    fx.gemini.reset();
    fx.gemini.enqueue(
      { parts: [{ functionCall: { name: "set_favorite_color", args: { color: "purple" } } }] },
      { parts: ["Purple it is!"], usage: { promptTokenCount: 30, candidatesTokenCount: 4 } },
    );
    const reply = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "My favorite color is purple" }] },
      { headers: { "X-OpenWebUI-User-Id": "erin", "X-OpenWebUI-Chat-Id": "compiled-chat" } },
    );
    const content = reply.choices[0]?.message.content ?? "";
    expect(content).toContain('<details type="tool_calls" done="true"');
    expect(content).toContain('name="set_favorite_color"');
    expect(content).toContain("Purple it is!");

    const modelCalls = fx.gemini.requests.filter((r) => r.method === "streamGenerateContent");
    expect(modelCalls).toHaveLength(2);
    expect(JSON.stringify(modelCalls[0]?.body.tools)).toContain("generate_color_palette");
    const lastContent = modelCalls[1]?.body.contents?.at(-1) as {
      parts: { functionResponse?: { name: string; response: Record<string, unknown> } }[];
    };
    expect(lastContent.parts[0]?.functionResponse).toMatchObject({
      name: "set_favorite_color",
      response: { favoriteColor: "purple" },
    });
  });

  it("streams an answer", async () => {
    fx.gemini.reset();
    fx.gemini.enqueue({ parts: ["Hello ", "from ", "JavaScript."] });
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    const text = await joinedContent(stream);
    expect(text).toBe("Hello from JavaScript.");
  });
});
