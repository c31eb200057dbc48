import type { CredentialDefinition } from "@agentllm/sdk";
import type { AgentRegistry } from "../agents/registry.ts";

/** A toolkit that declares a credential, as the connect pages need it. */
export interface ConnectableToolkit {
  readonly name: string;
  readonly credential: CredentialDefinition;
}

/**
 * Every toolkit of the registered agents that declares a credential, by name. Agents sharing a
 * toolkit package share its object; two different toolkits of one name: the first agent's (in
 * name order) wins, as a credential is stored per toolkit name anyway.
 */
export function connectableToolkits(
  registry: AgentRegistry,
): ReadonlyMap<string, ConnectableToolkit> {
  const found = new Map<string, ConnectableToolkit>();
  for (const agent of registry.list()) {
    for (const toolkit of agent.definition.toolkits) {
      if (toolkit.credential && !found.has(toolkit.name)) {
        found.set(toolkit.name, { name: toolkit.name, credential: toolkit.credential });
      }
    }
  }
  return found;
}
