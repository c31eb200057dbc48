import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLogger, KnowledgeBases, loadAgentRegistry } from "@agentllm/runtime";
import type { AgentDefinition, ToolkitDefinition } from "@agentllm/sdk";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/repo-paths.ts";
import {
  missingToolMentions,
  type ToolMention,
  toolMentions,
  toolNamesOf,
} from "./instruction-tool-names.ts";

// An agent whose instructions tell the model to call a tool it does not have sends the model
// after a function that is not declared: Gemini then answers with text, or a call the runtime
// refuses. The rule is in instruction-tool-names.ts; here it runs over every agent this
// repository's node_modules holds, and is shown to fail on a bad definition.

/** Every toolkit the repository's toolkit packages export. */
async function repositoryToolkits(): Promise<ToolkitDefinition[]> {
  const found: ToolkitDefinition[] = [];
  for (const dir of readdirSync(path.join(repoRoot, "packages"))) {
    if (!dir.startsWith("toolkit-")) continue;
    const manifest = JSON.parse(
      readFileSync(path.join(repoRoot, "packages", dir, "package.json"), "utf8"),
    ) as { name: string };
    const module = (await import(manifest.name)) as Record<string, unknown>;
    for (const value of Object.values(module)) {
      const toolkit = value as Partial<ToolkitDefinition> | null;
      if (
        toolkit &&
        typeof toolkit.name === "string" &&
        toolkit.tools &&
        typeof toolkit.tools === "object"
      ) {
        found.push(toolkit as ToolkitDefinition);
      }
    }
  }
  return found;
}

const describeMentions = (mentions: readonly ToolMention[]) =>
  mentions.map((m) => `${m.name} in "…${m.context}…"`);

describe("agents' instructions name only their own tools", async () => {
  // Agents that ship knowledge get search_knowledge from the runtime, as when it runs.
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "agentllm-instructions-"));
  const knowledge = new KnowledgeBases({ dataDir, logger: createLogger("silent") });
  afterAll(async () => {
    await knowledge.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const registry = await loadAgentRegistry([path.join(repoRoot, "node_modules")], {
    knowledge: (agent, folder) => knowledge.toolkitFor(agent, folder),
  });
  const agents = registry.names().map((name) => registry.resolve(name).definition);
  const toolkits = [...(await repositoryToolkits()), ...agents.flatMap((a) => a.toolkits)];
  const known = toolNamesOf(toolkits);

  it("finds the repository's agents and toolkits", () => {
    expect(registry.names()).toEqual(expect.arrayContaining(["demo-agent", "sprint-reviewer"]));
    expect(known).toContain("get_sprint_metrics");
    expect(known).toContain("get_document_content");
    expect(known).toContain("set_favorite_color");
  });

  for (const agent of agents) {
    it(`${agent.name}`, async () => {
      expect(describeMentions(await missingToolMentions(agent, known))).toEqual([]);
    });
  }

  it("fails for an agent whose instructions name tools it lacks, in each form the rule knows", async () => {
    const reviewer = agents.find((a) => a.name === "sprint-reviewer") as AgentDefinition;
    const bad: AgentDefinition = {
      ...reviewer,
      name: "bad-agent",
      instructions: (ctx) =>
        [
          `Hello ${ctx.userId ?? "stranger"}.`,
          "First remember it with set_favorite_color.", // another toolkit's tool
          "Then call send_email with the summary.", // after "call"
          "Or `post_to_slack`.", // backticked
          "Finally archive_everything(now).", // written as a call
          "Pass `issue_key` or `sprint_id` to get_sprint_metrics; MY_ENV_VAR, file_name.txt.", // fine
        ].join("\n"),
    };
    const names = (await missingToolMentions(bad, known)).map((m) => m.name);
    expect(names).toEqual([
      "set_favorite_color",
      "send_email",
      "post_to_slack",
      "archive_everything",
    ]);
    const fixed = await missingToolMentions(
      { ...bad, instructions: "Use `extract_sprint_info`, then get_issue(issue_key)." },
      known,
    );
    expect(fixed).toEqual([]);
  });

  it("reads mentions in fixed text too, and skips parts of longer words", () => {
    const mentions = toolMentions(
      "Use `get_issue`. See docs/get_issue.md, https://x.test/d/abc_def, getIssue_v2, snake_case words.",
      new Set(["get_issue"]),
    );
    expect(mentions.map((m) => m.name)).toEqual(["get_issue"]);
  });
});
