import type { RunningStack } from "@agentllm/stack";
import type { StreamTarget } from "./load.ts";

/**
 * The compared paths. All three end at the same fake Gemini with the same prompts:
 * - a: client → LiteLLM → LiteLLM's own Gemini provider → fake (the floor for a proxied model)
 * - b: client → LiteLLM → bridge → runtime → fake (the product path)
 * - c: client → runtime → fake (the floor for the bridge)
 */
export type PathName = "a" | "b" | "c";

export const PATH_LABELS: Record<PathName, string> = {
  a: "a LiteLLM→gemini",
  b: "b LiteLLM→bridge→runtime",
  c: "c runtime direct",
};

export const BENCH_USER = "bench-user";
export const AGENT = "demo-agent";

export interface BenchPath {
  readonly name: PathName;
  readonly model: string;
  /** Target for one request of `sessionId` (a fresh id per request in the load runs). */
  target(sessionId: string): StreamTarget;
}

export function benchPaths(stack: RunningStack): Record<PathName, BenchPath> {
  const proxy = `${stack.proxyUrl}/v1/chat/completions`;
  // What Open WebUI sends through LiteLLM: the user and chat headers. Path a sends them too, so
  // a and b carry the same bytes; only b turns them into a stored session.
  const viaProxy = (sessionId: string): StreamTarget => ({
    url: proxy,
    headers: {
      authorization: `Bearer ${stack.masterKey}`,
      "x-openwebui-user-id": BENCH_USER,
      "x-openwebui-chat-id": sessionId,
    },
  });
  return {
    a: { name: "a", model: "gemini-2.5-flash", target: viaProxy },
    b: { name: "b", model: `agno/${AGENT}`, target: viaProxy },
    c: {
      name: "c",
      model: `agno/${AGENT}`,
      // The headers the bridge would set.
      target: (sessionId) => ({
        url: `${stack.runtimeUrl}/v1/chat/completions`,
        headers: {
          authorization: `Bearer ${stack.runtimeToken}`,
          "x-agentllm-user-id": BENCH_USER,
          "x-agentllm-session-id": sessionId,
        },
      }),
    },
  };
}
