import type { Content } from "@google/genai";
import type { StoredTurn } from "../sessions/session-store.ts";

export interface ReconciledHistory {
  /** What the model sees: the client's history with stored tool turns spliced in. */
  readonly contents: Content[];
  /** The stored turn this request continues (null: a new root, e.g. the first message was edited). */
  readonly parentId: string | null;
  /** The client contents after the matched turns: the new turn's input. */
  readonly input: Content[];
  /** How many stored turns of the branch matched the client's history. */
  readonly matchedTurns: number;
}

/**
 * Lines up the client's history with the session's current branch.
 *
 * The client's messages are the truth for user and assistant text: Open WebUI sends the whole
 * visible conversation every time, after edits, regenerations and deletions. The store adds
 * what the client never sees (function calls and their results). Turns of the branch are
 * matched in order while both their input and their answer equal what the client sent;
 * matched complete turns contribute their stored steps, everything after the first mismatch
 * comes from the client alone and becomes the new turn's input. Continuing is a full match;
 * a regenerate or an edit matches a shorter prefix, so the new turn forks from there and the
 * old branch stays stored but unseen.
 */
export function reconcileHistory(
  client: readonly Content[],
  branch: readonly StoredTurn[],
): ReconciledHistory {
  const contents: Content[] = [];
  let position = 0;
  let parentId: string | null = null;
  let matchedTurns = 0;

  for (const turn of branch) {
    const input = turn.input as Content[];
    const answerAt = position + input.length;
    const answer = client[answerAt];
    const matches =
      answer !== undefined &&
      input.length > 0 &&
      input.every((content, i) => sameContent(content, client[position + i])) &&
      answer.role === "model" &&
      sameText(textOf(answer), turn.answer);
    if (!matches) break;

    contents.push(...client.slice(position, answerAt));
    contents.push(...modelSide(turn, answer));
    position = answerAt + 1;
    parentId = turn.id;
    matchedTurns++;
  }

  const input = client.slice(position);
  contents.push(...input);
  return { contents, parentId, input: [...input], matchedTurns };
}

/**
 * The model's side of a matched turn: its stored steps (function calls, results, final text)
 * when the turn completed; a partial turn's steps may end mid-call, so the client's text
 * stands in for them.
 */
function modelSide(turn: StoredTurn, clientAnswer: Content): Content[] {
  const steps = turn.steps as Content[];
  if (turn.status !== "complete" || steps.length === 0) return [clientAnswer];
  if (steps.at(-1)?.role === "model") return steps;
  // A run stopped by its step limit ends on function results; close it with what the client saw.
  return [...steps, clientAnswer];
}

function sameContent(stored: Content, client: Content | undefined): boolean {
  return (
    client !== undefined && stored.role === client.role && sameText(textOf(stored), textOf(client))
  );
}

/** Whitespace differs between what was streamed and what a client sends back; words do not. */
function sameText(a: string, b: string): boolean {
  return a.replace(/\s+/g, "") === b.replace(/\s+/g, "");
}

function textOf(content: Content): string {
  return (content.parts ?? [])
    .map((part) => {
      if (part.text !== undefined) return part.text;
      if (part.inlineData) {
        const data = part.inlineData.data ?? "";
        return `[${part.inlineData.mimeType}:${data.length}:${data.slice(0, 64)}]`;
      }
      return "";
    })
    .join("");
}
