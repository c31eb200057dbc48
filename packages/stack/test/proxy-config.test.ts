import { readFileSync } from "node:fs";
import { loadAgentRegistry, MODEL_PREFIX, nodeModulesAbove } from "@agentllm/runtime";
import { describe, expect, it } from "vitest";
import { paths, repoRoot } from "../src/repo-paths.ts";

// LiteLLM needs one explicit model entry per agent (a wildcard would hide them all from
// /v1/models and so from Open WebUI). This keeps proxy_config.yaml and the discovered agents
// in step: a new agent package fails here until its entry is added.
describe("proxy_config.yaml", () => {
  it("has exactly one agno/<agent> entry for each discovered agent", async () => {
    const registry = await loadAgentRegistry(nodeModulesAbove(repoRoot));
    const expected = registry.names().map((name) => `${MODEL_PREFIX}${name}`);
    const configured = [
      ...readFileSync(paths.proxyConfig, "utf8").matchAll(
        /^\s*-\s*model_name:\s*(agno\/\S+)\s*$/gm,
      ),
    ].map((match) => match[1]);
    expect(expected).toContain("agno/demo-agent");
    expect([...configured].sort()).toEqual(expected);
  });
});
