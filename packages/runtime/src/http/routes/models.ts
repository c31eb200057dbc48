import type { Request, Response } from "express";
import { type AgentRegistry, MODEL_PREFIX } from "../../agents/registry.ts";

/** `GET /v1/models`: one entry per discovered agent, as clients address them. */
export function listModels(registry: AgentRegistry, startedAt: number) {
  return (_req: Request, res: Response): void => {
    res.json({
      object: "list",
      data: registry.list().map((agent) => ({
        id: `${MODEL_PREFIX}${agent.definition.name}`,
        object: "model",
        created: Math.floor(startedAt / 1000),
        owned_by: "agentllm",
        description: agent.definition.description,
      })),
    });
  };
}
