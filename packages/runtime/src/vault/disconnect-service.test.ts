import type { PluginLogger, ToolContext, ToolkitDefinition } from "@agentllm/sdk";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { toGeminiTools } from "../agents/loop/to-gemini-tools.ts";
import { MemoryCredentialVault } from "../testing/memory-credential-vault.ts";
import { DISCONNECT_TOOL, withDisconnectTool } from "./disconnect-service.ts";
import { RequestCredentials } from "./request-credentials.ts";

const quiet: PluginLogger = { debug() {}, info() {}, warn() {}, error() {} };
const noop = { description: "n", parameters: z.object({}), execute: () => ({}) };
const jira: ToolkitDefinition = {
  name: "jira",
  tools: { get_issue: noop },
  credential: { kind: "api-token", title: "Jira", fields: { token: { label: "T", secret: true } } },
};
const plain: ToolkitDefinition = { name: "plain", tools: { noop } };

async function setUp(userId: string | undefined, toolkits = [jira, plain]) {
  const vault = new MemoryCredentialVault();
  await vault.put("alice", "jira", { kind: "api-token", secrets: { token: "t" }, metadata: {} });
  const credentials = new RequestCredentials(vault, userId, quiet);
  const base = toGeminiTools(toolkits);
  const toolset = withDisconnectTool(base, toolkits, credentials, {
    signedIn: userId !== undefined,
    logger: quiet,
  });
  return { vault, credentials, base, toolset };
}

function run(toolset: Awaited<ReturnType<typeof setUp>>["toolset"], service: string) {
  const tool = toolset.byName.get(DISCONNECT_TOOL)?.tool;
  if (!tool) throw new Error("no tool");
  return tool.execute(tool.parameters.parse({ service }), {} as ToolContext);
}

describe("withDisconnectTool", () => {
  it("adds disconnect_service, naming the services, for a signed-in user", async () => {
    const { base, toolset } = await setUp("alice");
    const names = toolset.tools.flatMap((tool) => tool.functionDeclarations ?? []);
    expect(names.map((fn) => fn.name)).toEqual(["get_issue", "noop", DISCONNECT_TOOL]);
    expect(JSON.stringify(names.at(-1))).toContain('"enum":["jira"]');
    expect(base.byName.has(DISCONNECT_TOOL)).toBe(false);
  });

  it("deletes this user's credential and says so, or that there was none", async () => {
    const { vault, credentials, toolset } = await setUp("alice");
    expect(await credentials.statuses([jira])).toMatchObject([{ connected: true }]);
    expect(await run(toolset, "jira")).toMatchObject({ disconnected: "Jira" });
    expect(await vault.get("alice", "jira")).toBeUndefined();
    // The request's own view forgets it too.
    expect(await credentials.statuses([jira])).toMatchObject([{ connected: false }]);
    expect(await run(toolset, "jira")).toMatchObject({ disconnected: null });
  });

  it("acts for the request's user only", async () => {
    const { vault, toolset } = await setUp("bob");
    expect(await run(toolset, "jira")).toMatchObject({ disconnected: null });
    expect(await vault.get("alice", "jira")).toBeDefined();
  });

  it("refuses a service the agent does not have", async () => {
    const { toolset } = await setUp("alice");
    expect(() => run(toolset, "plain")).toThrow();
  });

  it("is not offered anonymously, without credentialed toolkits, or over the agent's own tool", async () => {
    expect((await setUp(undefined)).toolset.byName.has(DISCONNECT_TOOL)).toBe(false);
    const plainOnly = await setUp("alice", [plain]);
    expect(plainOnly.toolset).toBe(plainOnly.base);
    const own: ToolkitDefinition = { name: "own", tools: { [DISCONNECT_TOOL]: noop } };
    const clash = await setUp("alice", [jira, own]);
    expect(clash.toolset).toBe(clash.base);
  });
});
