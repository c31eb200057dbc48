import { readFileSync } from "node:fs";
import { loadAgentRegistry, MODEL_PREFIX, nodeModulesAbove } from "@agentllm/runtime";
import { describe, expect, it } from "vitest";
import {
  BEGIN_MARKER,
  currentAgentEntries,
  END_MARKER,
  modelNamesIn,
  ProxyConfigFormatError,
  renderAgentEntries,
  withAgentEntries,
} from "../../../scripts/sync-models/agent-entries.ts";
import { paths, repoRoot } from "../src/repo-paths.ts";

// LiteLLM needs one explicit model entry per agent (a wildcard would hide them all from
// /v1/models and so from Open WebUI). The entries are generated (`npx just sync-models`); this
// fails when proxy_config.yaml and the discovered agents drift apart.
describe("proxy_config.yaml", () => {
  it("lists exactly the discovered agents, as `npx just sync-models` writes them", async () => {
    const registry = await loadAgentRegistry(nodeModulesAbove(repoRoot));
    const expected = registry.names().map((name) => `${MODEL_PREFIX}${name}`);
    const config = readFileSync(paths.proxyConfig, "utf8");
    expect(expected).toContain("agno/demo-agent");
    expect(
      currentAgentEntries(config),
      "proxy_config.yaml's agent entries are out of date: run `npx just sync-models`",
    ).toBe(renderAgentEntries(registry.names()));
    // No agent entry outside the generated block either.
    const everyAgentEntry = [...config.matchAll(/^\s*-\s*model_name:\s*(agno\/\S+)\s*$/gm)].map(
      (match) => match[1],
    );
    expect(everyAgentEntry.sort()).toEqual(expected);
  });
});

describe("generated agent entries", () => {
  const config = [
    "# head",
    "model_list:",
    "  # why the settings are what they are",
    BEGIN_MARKER,
    "  - model_name: agno/old",
    "    litellm_params:",
    "      model: agno/old",
    END_MARKER,
    "",
    "  - model_name: gemini-2.5-flash # untouched",
    "general_settings: {}",
    "",
  ].join("\n");

  it("renders one entry per agent, sorted, with the settings every agent needs", () => {
    expect(renderAgentEntries(["zeta", "alpha"])).toBe(
      [
        "  - model_name: agno/alpha",
        "    litellm_params:",
        "      model: agno/alpha",
        "      custom_llm_provider: agno",
        "      num_retries: 0",
        "      cooldown_time: 0",
        "  - model_name: agno/zeta",
        "    litellm_params:",
        "      model: agno/zeta",
        "      custom_llm_provider: agno",
        "      num_retries: 0",
        "      cooldown_time: 0",
      ].join("\n"),
    );
  });

  it("replaces only the block between the markers, every other byte kept", () => {
    const updated = withAgentEntries(config, ["new-one"]);
    const [before, after] = config.split(/ {2}# BEGIN[^\n]*\n[\s\S]*? {2}# END agent entries\n/);
    expect(updated.startsWith(`${before}${BEGIN_MARKER}\n`)).toBe(true);
    expect(updated.endsWith(`${END_MARKER}\n${after}`)).toBe(true);
    expect(modelNamesIn(currentAgentEntries(updated))).toEqual(["agno/new-one"]);
    expect(withAgentEntries(updated, ["new-one"])).toBe(updated);
  });

  it("writes an empty block when there are no agents", () => {
    const updated = withAgentEntries(config, []);
    expect(updated).toContain(`${BEGIN_MARKER}\n${END_MARKER}\n`);
    expect(currentAgentEntries(updated)).toBe("");
  });

  it("refuses a config without the markers, or with two blocks, saying what is needed", () => {
    expect(() => withAgentEntries("model_list: []\n", ["a"])).toThrow(ProxyConfigFormatError);
    expect(() => withAgentEntries("model_list: []\n", ["a"])).toThrow(BEGIN_MARKER);
    const twice = config.replace(
      "general_settings",
      `${BEGIN_MARKER}\n${END_MARKER}\ngeneral_settings`,
    );
    expect(() => currentAgentEntries(twice)).toThrow("two generated agent blocks");
  });
});
