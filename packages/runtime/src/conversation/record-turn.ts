import type { PluginLogger } from "@agentllm/sdk";
import type { Content } from "@google/genai";
import { type AgentEvent, addUsage, emptyUsage, type Usage } from "../agents/loop/agent-event.ts";
import type { SessionKey, SessionStore } from "../sessions/session-store.ts";
import type { ReconciledHistory } from "./reconcile-history.ts";

/**
 * Stage three of a turn: watches the run's events and writes the turn to the session once the
 * run is over, whatever ended it (`partial` when it did not finish). A continued answer is stored
 * whole (the text before plus the continuation), as the client will show it.
 */
export class TurnRecorder {
  readonly #sessions: SessionStore;
  readonly #key: SessionKey;
  readonly #history: ReconciledHistory;
  readonly #logger: PluginLogger;
  #answer = "";
  #usage: Usage = emptyUsage();
  #steps: readonly Content[] = [];
  #finished = false;

  constructor(
    sessions: SessionStore,
    key: SessionKey,
    history: ReconciledHistory,
    logger: PluginLogger,
  ) {
    this.#sessions = sessions;
    this.#key = key;
    this.#history = history;
    this.#logger = logger;
  }

  observe(event: AgentEvent): void {
    if (event.type === "text-delta") this.#answer += event.text;
    if (event.type === "step-finish") this.#usage = addUsage(this.#usage, event.step.usage);
    if (event.type === "finish") {
      this.#steps = event.newContents;
      this.#finished = true;
    }
  }

  /**
   * The key this turn will be stored under if its answer, as the client will show it, ends with
   * `more`: how an approval request names the answer that asked (approval/).
   */
  prefixKeyWith(more: string): string {
    const answer = this.#answer + more;
    const continued = this.#history.continued;
    return this.#history.prefixKeyFor(continued ? joinAnswer(continued.text, answer) : answer);
  }

  /** Never throws: a turn that cannot be stored is logged, the answer has already been sent. */
  async save(): Promise<void> {
    const continued = this.#history.continued;
    const answer = continued ? joinAnswer(continued.text, this.#answer) : this.#answer;
    const steps =
      this.#finished && continued
        ? mergeModelContents([...continued.contents, ...this.#steps])
        : this.#steps;
    try {
      await this.#sessions.appendTurn(this.#key, {
        parentId: this.#history.parentId,
        prefixKey: this.#history.prefixKeyFor(answer),
        input: this.#history.input,
        steps: this.#finished ? [...steps] : [],
        answer,
        status: this.#finished ? "complete" : "partial",
        usage: this.#usage,
      });
    } catch (error) {
      this.#logger.error({ err: (error as Error).message }, "could not store the turn");
    }
  }
}

/** Open WebUI appends the continuation to the answer as it stands. */
function joinAnswer(before: string, continuation: string): string {
  return `${before}${continuation}`;
}

/**
 * Consecutive model contents become one, so a continued answer replays as one model turn
 * (its text so far, then whatever the continuation did).
 */
function mergeModelContents(contents: readonly Content[]): Content[] {
  const merged: Content[] = [];
  for (const content of contents) {
    const previous = merged.at(-1);
    if (previous?.role === "model" && content.role === "model") {
      merged[merged.length - 1] = {
        role: "model",
        parts: [...(previous.parts ?? []), ...(content.parts ?? [])],
      };
    } else {
      merged.push(content);
    }
  }
  return merged;
}
