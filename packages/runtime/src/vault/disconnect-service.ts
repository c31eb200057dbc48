import { defineTool, type PluginLogger, type ToolkitDefinition } from "@agentllm/sdk";
import { z } from "zod";
import { type GeminiToolset, toGeminiTools } from "../agents/loop/to-gemini-tools.ts";
import type { RequestCredentials } from "./request-credentials.ts";

/** The runtime's own tool: "disconnect Jira". */
export const DISCONNECT_TOOL = "disconnect_service";
/** The toolkit it appears under in tool cards and logs. */
export const DISCONNECT_TOOLKIT = "connections";

/**
 * The agent's toolset plus `disconnect_service({ service })`, which deletes the current user's
 * stored credential for one of the agent's toolkits, for a signed-in user of an agent whose
 * toolkits declare credentials; otherwise the toolset as it is. Made per request: the tool acts
 * for this request's user (through its `RequestCredentials`) and nobody else.
 */
export function withDisconnectTool(
  toolset: GeminiToolset,
  toolkits: readonly ToolkitDefinition[],
  credentials: RequestCredentials,
  options: { readonly signedIn: boolean; readonly logger: PluginLogger },
): GeminiToolset {
  const services = toolkits.flatMap((toolkit) =>
    toolkit.credential ? [{ name: toolkit.name, title: toolkit.credential.title }] : [],
  );
  const [first, ...rest] = services.map((service) => service.name);
  if (!options.signedIn || first === undefined) return toolset;
  if (toolset.byName.has(DISCONNECT_TOOL)) {
    // An agent's own tool of that name wins; the user can still ask the operator (just revoke).
    options.logger.warn({ tool: DISCONNECT_TOOL }, "the agent defines this tool itself");
    return toolset;
  }
  const list = services.map((service) => `${service.name} (${service.title})`).join(", ");
  const toolkit: ToolkitDefinition = {
    name: DISCONNECT_TOOLKIT,
    tools: {
      [DISCONNECT_TOOL]: defineTool({
        description: `Disconnects one of the user's services when the user asks to: deletes the credential they stored for it, so it is not used again until they connect it anew. Services: ${list}.`,
        parameters: z.object({
          service: z.enum([first, ...rest]).describe("The service to disconnect."),
        }),
        async execute({ service }) {
          const title = services.find((item) => item.name === service)?.title ?? service;
          const removed = await credentials.disconnect(service);
          return removed > 0
            ? {
                disconnected: title,
                message: `${title} is disconnected: the stored credential is deleted. It will be asked for again when a ${title} tool is needed.`,
              }
            : {
                disconnected: null,
                message: `${title} was not connected; there was nothing to delete.`,
              };
        },
      }),
    },
  };
  const own = toGeminiTools([toolkit]);
  const declarations = toolset.tools.flatMap((tool) => tool.functionDeclarations ?? []);
  const added = own.tools.flatMap((tool) => tool.functionDeclarations ?? []);
  return {
    tools: [{ functionDeclarations: [...declarations, ...added] }],
    byName: new Map([...toolset.byName, ...own.byName]),
  };
}
