import type { FakeTurn, GeminiContent, RecordedRequest } from "@agentllm/testkit";

/**
 * What the benchmark's fake Gemini answers. Each client prompt carries a tag,
 * `[bench:<id>:<kind>]`, so the fake's emit timestamps can be matched to the client's receive
 * timestamps of the same request, and the kind picks the script:
 * - `stream`: `tokens` text parts (` tok0`, ` tok1`, ...) one SSE event each, `delayMs` apart,
 *   the first one after `firstDelayMs` (the model's own time to first token);
 * - `tool`: first a `get_favorite_color` function call (when the agent declares it), then,
 *   once the function result comes back, the same token stream;
 * - `short`: a few tokens at once (session-length runs, where the path's own work should show).
 * - `jira`: one step of {@link JIRA_CALLS} `get_issue` calls at once (when the agent declares
 *   it), then, once their results come back, a short answer (the tool-heavy row).
 */
export interface FakeModelOptions {
  readonly tokens: number;
  readonly delayMs: number;
  readonly firstDelayMs: number;
}

export type PromptKind = "stream" | "tool" | "short" | "jira";

export const SHORT_TOKENS = 5;
/** The tool-heavy step: this many Jira reads asked for in one model turn. */
export const JIRA_CALLS = 5;

const TAG = /\[bench:([\w.-]+):(stream|tool|short|jira)\]/;

export function promptTag(id: string, kind: PromptKind): string {
  return `[bench:${id}:${kind}]`;
}

/** The token texts the fake streams; each carries its index so the client can count them. */
export function tokenTexts(count: number): string[] {
  return Array.from({ length: count }, (_, k) => ` tok${k}`);
}

/** How many tokens a received text delta holds (every token is ` tok<k>`). */
export function countTokens(text: string): number {
  let n = 0;
  let at = text.indexOf("tok");
  while (at !== -1) {
    n++;
    at = text.indexOf("tok", at + 3);
  }
  return n;
}

function textOf(content: GeminiContent | undefined): string {
  return (content?.parts ?? []).map((part) => part.text ?? "").join("");
}

/** The tag of the request's latest tagged user message. */
export function findTag(
  contents: readonly GeminiContent[],
): { id: string; kind: PromptKind } | undefined {
  for (let i = contents.length - 1; i >= 0; i--) {
    const content = contents[i];
    if (content?.role !== "user") continue;
    const match = TAG.exec(textOf(content));
    if (match) return { id: match[1] as string, kind: match[2] as PromptKind };
  }
  return undefined;
}

function declaresTool(request: RecordedRequest, name: string): boolean {
  return (request.body.tools ?? []).some((tool) =>
    (tool.functionDeclarations ?? []).some((declaration) => declaration.name === name),
  );
}

export function createBenchResponder(options: FakeModelOptions) {
  const stream: FakeTurn = {
    parts: tokenTexts(options.tokens),
    delayMs: options.delayMs,
    firstDelayMs: options.firstDelayMs,
  };
  const short: FakeTurn = { parts: tokenTexts(SHORT_TOKENS) };
  return (request: RecordedRequest): FakeTurn => {
    const contents = request.body.contents ?? [];
    const tag = findTag(contents);
    if (tag?.kind === "short") return short;
    if (tag?.kind === "jira") {
      const last = contents.at(-1);
      const answered = (last?.parts ?? []).some((part) => part.functionResponse !== undefined);
      if (answered || !declaresTool(request, "get_issue")) return short;
      return {
        parts: Array.from({ length: JIRA_CALLS }, (_, n) => ({
          functionCall: { name: "get_issue", args: { issue_key: `DEMO-${n + 1}` } },
        })),
      };
    }
    if (tag?.kind === "tool") {
      const last = contents.at(-1);
      const answered = (last?.parts ?? []).some((part) => part.functionResponse !== undefined);
      if (!answered && declaresTool(request, "get_favorite_color")) {
        return {
          parts: [{ functionCall: { name: "get_favorite_color", args: {} } }],
          firstDelayMs: options.firstDelayMs,
        };
      }
    }
    return stream;
  };
}
