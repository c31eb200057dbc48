import {
  declaredFunctions,
  functionResults,
  identifierWords,
  lastContent,
  lastUserText,
} from "./conversation.ts";
import { fillArgs } from "./fill-args.ts";
import { pickTool } from "./pick-tool.ts";
import type { GeminiFunctionDeclaration } from "./recorded-request.ts";
import { renderToolResult } from "./render-tool-result.ts";
import type { Responder } from "./responder.ts";
import { type FakePart, type FakeReply, wordChunks } from "./script.ts";
import { wantsThoughts } from "./thoughts.ts";

export interface DefaultResponderOptions {
  /** Pause between streamed words; defaults to 30 ms so the demo visibly streams. */
  delayMs?: number;
}

function quote(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function greeting(userText: string, functions: GeminiFunctionDeclaration[]): string {
  const opening =
    userText === ""
      ? "Hello! I am the fake Gemini model of the AgentLLM testkit."
      : `You said: "${quote(userText)}". I am the fake Gemini model of the AgentLLM testkit, so I answer by simple rules.`;
  const names = functions.map((fn) => fn.name).filter((name) => name !== undefined);
  if (names.length === 0) return `${opening} No tools are declared in this conversation.`;
  const hint = identifierWords(names[0] ?? "").at(-1) ?? "";
  return (
    `${opening} I can call these tools: ${names.map((n) => `\`${n}\``).join(", ")}. ` +
    `Mention one (for example "${hint}") and I will call it.`
  );
}

/**
 * Open WebUI sends its background tasks (title, tags, follow-ups) to the chat's model with
 * a prompt starting "### Task:" and expects JSON back; calling a tool there would be odd.
 */
function openWebUiTask(userText: string): string | undefined {
  if (!userText.startsWith("### Task:")) return undefined;
  if (/follow[-_ ]?ups?/i.test(userText)) return '{"follow_ups": []}';
  if (/\btags?\b/i.test(userText)) return '{"tags": ["General"]}';
  if (/\btitle\b/i.test(userText)) return '{"title": "Chat with the fake Gemini"}';
  return "{}";
}

/**
 * Open WebUI's Continue button: the runtime asks the model to go on with its last answer (a
 * user turn after it starting "Continue your previous answer"). A real model writes the rest;
 * the fake adds one sentence, so the demo shows the answer growing instead of an echo.
 */
const CONTINUE_REQUEST = /^continue your (?:previous|last) answer/i;
const CONTINUATION = " (The fake Gemini continues an answer by adding this sentence.)";

/** A thought summary as Gemini 2.5 streams one: a bold heading, then a sentence, word by word. */
function thought(heading: string, text: string): FakePart[] {
  return wordChunks(`**${heading}**\n\n${text}`).map((chunk) => ({ text: chunk, thought: true }));
}

/**
 * The rule-based model behind `just demo`, deterministic:
 * 1. the last content holds function responses → a streamed summary of the results;
 * 2. the user text mentions a declared tool → one function call, args from its schema;
 * 3. otherwise → a friendly streamed text naming the tools.
 * Open WebUI's background task prompts get a small JSON answer first, and a request to continue
 * the last answer gets one more sentence.
 * Rule 1 before rule 2 keeps every tool round trip to one call.
 * When the request asks for thought summaries (`thinkingConfig.includeThoughts`), rules 1-3 start
 * with one saying which rule applies, so the demo shows a thinking block.
 */
export function createDefaultResponder(options: DefaultResponderOptions = {}): Responder {
  const delayMs = options.delayMs ?? 30;
  return (request) => {
    const thinking = wantsThoughts(request.body);
    const streamed = (text: string, thoughts: FakePart[]): FakeReply => ({
      parts: [...(thinking ? thoughts : []), ...wordChunks(text)],
      delayMs,
      firstDelayMs: delayMs,
    });
    const results = functionResults(lastContent(request.body));
    if (results.length > 0) {
      return streamed(
        results.map(renderToolResult).join("\n\n"),
        thought("Summing up the results", "The tools answered, so I write up what they returned."),
      );
    }
    const userText = lastUserText(request.body);
    const task = openWebUiTask(userText);
    if (task !== undefined) return { parts: [task] };
    // No thought on a continuation: it extends the answer the thinking block already explains.
    if (CONTINUE_REQUEST.test(userText.trim())) return streamed(CONTINUATION, []);
    const functions = declaredFunctions(request.body);
    const tool = pickTool(userText, functions);
    if (tool?.name) {
      const call: FakePart = { functionCall: { name: tool.name, args: fillArgs(tool, userText) } };
      const why = thought(
        "Picking a tool",
        `The message mentions \`${tool.name}\`, so I call it with arguments from the message.`,
      );
      return thinking
        ? { parts: [...why, call], delayMs, firstDelayMs: delayMs }
        : { parts: [call] };
    }
    return streamed(
      greeting(userText, functions),
      thought(
        "Reading the message",
        "No tool is mentioned, so I greet the user and name my tools.",
      ),
    );
  };
}
