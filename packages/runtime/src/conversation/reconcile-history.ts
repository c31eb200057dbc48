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
 * Lines up the client's history with the session's stored turns.
 *
 * The client's messages are the truth for user and assistant text: Open WebUI sends the whole
 * visible conversation every time, after edits, regenerations and deletions. The store adds
 * what the client never sees (function calls and their results). Starting at the roots, the
 * walk follows the child whose input and answer equal what the client sent next (the newest
 * such child when a turn was regenerated); matched complete turns contribute their stored
 * steps, everything after the first mismatch comes from the client alone and becomes the new
 * turn's input. Continuing is a full match; a regenerate or an edit matches a shorter prefix,
 * so the new turn forks from there and the old branch stays stored but unseen.
 *
 * Walking the whole tree, not just the head's branch, keeps this right when the head moved
 * elsewhere: a user who switched back to an earlier regenerated answer, or a request that
 * shared the chat id (an Open WebUI background task such as a title, sent to the agent).
 *
 * `turns` must list parents before children (the store's append order does).
 */
export function reconcileHistory(
  client: readonly Content[],
  turns: readonly StoredTurn[],
): ReconciledHistory {
  const children = new Map<string | null, StoredTurn[]>();
  for (const turn of turns) {
    const siblings = children.get(turn.parentId);
    if (siblings) siblings.push(turn);
    else children.set(turn.parentId, [turn]);
  }

  const clientKeys = client.map(contentKey);
  const contents: Content[] = [];
  let position = 0;
  let parentId: string | null = null;
  let matchedTurns = 0;

  for (;;) {
    const start = position;
    const next: StoredTurn | undefined = children
      .get(parentId)
      ?.findLast((turn) => matchesAt(turn, clientKeys, start));
    if (!next) break;
    const answerAt = position + next.input.length;
    for (let i = position; i < answerAt; i++) contents.push(client[i] as Content);
    for (const content of modelSide(next, client[answerAt] as Content)) contents.push(content);
    position = answerAt + 1;
    parentId = next.id;
    matchedTurns++;
  }

  const input = client.slice(position);
  contents.push(...input);
  return { contents, parentId, input: [...input], matchedTurns };
}

/** Whether the client shows this turn's input and then its answer, starting at `position`. */
function matchesAt(turn: StoredTurn, client: readonly string[], position: number): boolean {
  const keys = turnKeys(turn);
  return (
    keys.input.length > 0 &&
    client[position + keys.input.length] === keys.answer &&
    keys.input.every((key, i) => key === client[position + i])
  );
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

interface TurnKeys {
  readonly input: readonly string[];
  readonly answer: string;
}

// Stored turns are frozen and shared across requests (the session store's turn cache): each
// is normalised once, so a long conversation compares strings instead of re-reading its turns.
const turnKeysCache = new WeakMap<StoredTurn, TurnKeys>();

function turnKeys(turn: StoredTurn): TurnKeys {
  let keys = turnKeysCache.get(turn);
  if (!keys) {
    keys = {
      input: (turn.input as Content[]).map(contentKey),
      answer: textKey("model", turn.answer),
    };
    if (Object.isFrozen(turn)) turnKeysCache.set(turn, keys);
  }
  return keys;
}

/** Role and text; whitespace differs between what was streamed and what a client sends back, words do not. */
function contentKey(content: Content): string {
  return textKey(content.role ?? "", textOf(content));
}

function textKey(role: string, text: string): string {
  return `${role}\u0000${text.replace(/\s+/g, "")}`;
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
