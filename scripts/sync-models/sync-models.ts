import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadAgentRegistry, nodeModulesAbove } from "@agentllm/runtime";
import {
  currentAgentEntries,
  modelNamesIn,
  renderAgentEntries,
  withAgentEntries,
} from "./agent-entries.ts";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const defaultProxyConfig = path.join(repoRoot, "proxy_config.yaml");

export interface SyncOptions {
  /** The LiteLLM config to update; the repository's proxy_config.yaml by default. */
  readonly config?: string;
  /**
   * Extra folders holding agent packages, as the runtime's `AGENTLLM_AGENT_DIRS` (which is
   * read too, so this finds what the runtime would); every node_modules above the repository
   * is searched as well.
   */
  readonly dirs?: readonly string[];
  /** Compare only: report drift without writing. */
  readonly check?: boolean;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface SyncResult {
  readonly config: string;
  /** Agent model names the config should list, in order. */
  readonly models: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Whether the file's block differed from the discovered agents (written unless `check`). */
  readonly drifted: boolean;
}

/** The folders agents are discovered in, the way the runtime started from the repo finds them. */
export function agentSearchDirs(
  dirs: readonly string[] = [],
  env: Readonly<Record<string, string | undefined>> = process.env,
): string[] {
  const fromEnv = (env.AGENTLLM_AGENT_DIRS ?? "").split(path.delimiter).filter(Boolean);
  return [
    ...[...dirs, ...fromEnv].map((dir) => path.resolve(repoRoot, dir)),
    ...nodeModulesAbove(repoRoot),
  ];
}

/**
 * Loads every discovered agent (checked as the runtime checks them at start, so a broken agent
 * fails here too) and makes the proxy config's generated block list exactly those agents.
 */
export async function syncModels(options: SyncOptions = {}): Promise<SyncResult> {
  const config = path.resolve(options.config ?? defaultProxyConfig);
  const registry = await loadAgentRegistry(agentSearchDirs(options.dirs, options.env));
  const names = registry.names();
  const text = readFileSync(config, "utf8");
  const before = modelNamesIn(currentAgentEntries(text));
  const models = modelNamesIn(renderAgentEntries(names));
  const drifted = currentAgentEntries(text) !== renderAgentEntries(names);
  if (drifted && !options.check) writeFileSync(config, withAgentEntries(text, names));
  return {
    config,
    models,
    added: models.filter((model) => !before.includes(model)),
    removed: before.filter((model) => !models.includes(model)),
    drifted,
  };
}
