import type { PluginLogger } from "@agentllm/sdk";
import type { Content } from "@google/genai";
import type { SessionKey, SessionStore } from "../sessions/session-store.ts";
import { fitToContext } from "./fit-context.ts";
import { type ReconciledHistory, reconcileHistory, type TurnLookup } from "./reconcile-history.ts";
import type { GeminiConversation } from "./to-gemini-contents.ts";

/** What the user is asked to imagine when Open WebUI's Continue button is pressed. */
export const CONTINUE_PROMPT =
  "Continue your previous answer exactly where it stopped. Do not repeat what you already wrote and do not mention the interruption.";

export interface ContextDeps {
  readonly sessions: SessionStore;
  /** Estimated tokens of history sent to the model; the oldest exchanges go first. */
  readonly contextTokens: number;
  /** Characters of stored steps one request may read (`AGENTLLM_MAX_SESSION_BYTES`). */
  readonly maxSessionBytes: number;
}

export interface ContextRequest {
  /** Undefined: a stateless request (no user or no session id); nothing is read or stored. */
  readonly sessionKey: SessionKey | undefined;
  readonly conversation: GeminiConversation;
  /** The agent's instructions, already rendered for this user. */
  readonly instructions: string;
  readonly signal: AbortSignal;
  readonly logger: PluginLogger;
}

/** Everything the model is given, and where the turn will go in the session. */
export interface PreparedContext {
  readonly systemInstruction: string;
  readonly contents: Content[];
  /** The session's view of the request; undefined when stateless. */
  readonly history: ReconciledHistory | undefined;
}

/**
 * Stage one of a turn: the client's history matched with the session (stored tool steps back
 * in), a Continue turned into a request to go on, all fitted to the context budget, and the
 * system instruction that says what was left out.
 */
export async function prepareContext(
  deps: ContextDeps,
  request: ContextRequest,
): Promise<PreparedContext> {
  const { sessionKey, conversation } = request;
  const contents = conversation.contents;
  const continuing = contents.at(-1)?.role === "model";
  const lookup: TurnLookup | undefined = sessionKey
    ? {
        findTurns: (keys, options) => deps.sessions.findTurns(sessionKey, keys, options),
        loadSteps: (ids, options) => deps.sessions.loadSteps(sessionKey, ids, options),
      }
    : undefined;
  const history = await reconcileHistory(contents, lookup, {
    maxStepsSize: deps.maxSessionBytes,
    continuing,
    signal: request.signal,
  });

  const modelContents = history.continued
    ? [...history.contents, ...history.continued.contents, userText(CONTINUE_PROMPT)]
    : history.contents;
  const fitted = fitToContext(modelContents, deps.contextTokens);
  if (fitted.omittedExchanges > 0 || history.stepsLeftOut > 0) {
    request.logger.info(
      { omitted: fitted.omittedExchanges, stepsLeftOut: history.stepsLeftOut },
      "history trimmed to fit",
    );
  }
  const notes = trimNotes(history.stepsLeftOut, fitted.omittedExchanges);
  return {
    systemInstruction: [request.instructions, ...conversation.system, ...notes].join("\n\n"),
    contents: fitted.contents,
    history: sessionKey ? history : undefined,
  };
}

/**
 * What the system instruction says was left out. The steps note gives no count: once a session
 * is past `AGENTLLM_MAX_SESSION_BYTES`, each new turn with tool steps pushes an older turn's
 * out, and a count would change the system instruction, so the whole cached prompt, on every
 * such turn. The context note's count changes only when the cut moves, and then the contents
 * change from their start anyway (fit-context.ts).
 */
export function trimNotes(stepsLeftOut: number, omittedExchanges: number): string[] {
  const notes: string[] = [];
  if (stepsLeftOut > 0) {
    notes.push(
      "(The tool calls and results of some earlier exchanges of this conversation were left out to bound the memory one request may use; their answers are shown as the user saw them.)",
    );
  }
  if (omittedExchanges > 0) {
    notes.push(
      `(The ${omittedExchanges} oldest exchanges of this conversation were left out to fit the context window.)`,
    );
  }
  return notes;
}

function userText(text: string): Content {
  return { role: "user", parts: [{ text }] };
}
