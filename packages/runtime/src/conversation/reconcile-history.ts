import type { Content } from "@google/genai";
import type { QueryOptions } from "../database/query-options.ts";
import type { TurnSummary } from "../sessions/session-store.ts";
import { PrefixHasher, visibleText } from "./history-key.ts";

/** The two reads matching needs, for one session (`SessionStore` bound to its key). */
export interface TurnLookup {
  findTurns(prefixKeys: readonly string[], options?: QueryOptions): Promise<TurnSummary[]>;
  loadSteps(
    turnIds: readonly string[],
    options?: QueryOptions,
  ): Promise<ReadonlyMap<string, readonly unknown[]>>;
}

export interface ReconcileOptions {
  /**
   * Most characters of stored steps (tool calls and results) one request reads; older turns'
   * steps beyond it are left out, newest kept first (`AGENTLLM_MAX_SESSION_BYTES`).
   */
  readonly maxStepsSize: number;
  /** The client's history ends with an answer to continue (Open WebUI's Continue button). */
  readonly continuing: boolean;
  readonly signal?: AbortSignal | undefined;
}

export interface ReconciledHistory {
  /**
   * What the model sees before its new output: the client's history with stored tool steps
   * spliced in. When continuing, without the answer being continued (see `continued`).
   */
  readonly contents: Content[];
  /** The stored turn the new turn hangs under (null: a new root). */
  readonly parentId: string | null;
  /** The client contents the new turn adds after its parent: its stored input. */
  readonly input: Content[];
  /** How many stored turns matched the client's history. */
  readonly matchedTurns: number;
  /** Matched turns whose steps were over `maxStepsSize`: the model sees their text only. */
  readonly stepsLeftOut: number;
  /** When continuing: the answer so far, as the model should see it, and as the client shows it. */
  readonly continued: { readonly contents: Content[]; readonly text: string } | undefined;
  /**
   * The prefix key of the new turn once its whole answer (as the client will show it) is known;
   * only for a history reconciled with a session.
   */
  prefixKeyFor(answer: string): string;
}

/**
 * Lines up the client's history with the session's stored turns, reading only those the history
 * names.
 *
 * The client's messages are the truth for user and assistant text: Open WebUI sends the whole
 * visible conversation every time, after edits, regenerations and deletions. The store adds what
 * the client never sees (function calls and their results). Every answer in the client's history
 * has a prefix key (`history-key.ts`); the stored turns with those keys are exactly the turns
 * that produced those answers, on whatever branch, so one indexed query finds them, without
 * reading the session's other branches. The deepest match and its ancestors are the matched
 * chain; each contributes its stored steps (newest first, up to `maxStepsSize`), everything after
 * it comes from the client alone and becomes the new turn's input.
 *
 * Continuing is a full match; a regenerate or an edit matches a shorter prefix, so the new turn
 * forks there and the old branch stays stored but unseen; a user who switched back to an older
 * regenerated answer in Open WebUI sends that answer, whose turn matches by its own key.
 */
export async function reconcileHistory(
  client: readonly Content[],
  lookup: TurnLookup | undefined,
  options: ReconcileOptions,
): Promise<ReconciledHistory> {
  const last = client.length - 1;
  const continuing = options.continuing && client[last]?.role === "model";
  const hasher = new PrefixHasher();
  let beforeLast = hasher;
  /** Prefix key → index of the answer it ends with. */
  const answerAt = new Map<string, number>();
  // Without a session (no lookup) nothing is matched or stored: no keys to compute.
  if (lookup) {
    client.forEach((content, index) => {
      if (index === last) beforeLast = hasher.copy();
      hasher.addContent(content);
      if (content.role === "model") answerAt.set(hasher.key(), index);
    });
  }

  const found = lookup
    ? await lookup.findTurns([...answerAt.keys()], { signal: options.signal })
    : [];
  const chain = matchedChain(found, answerAt);
  const continuedTurn =
    continuing && chain.length > 0 && answerAt.get(chain.at(-1)?.prefixKey ?? "") === last
      ? chain.pop()
      : undefined;

  // Steps of the newest turns first: they matter most, and older ones are the first to go when
  // the context is trimmed anyway.
  const withSteps = [continuedTurn, ...chain.toReversed()].filter(
    (turn): turn is TurnSummary => turn?.status === "complete" && turn.stepsSize > 0,
  );
  const wanted: string[] = [];
  let size = 0;
  for (const turn of withSteps) {
    if (size + turn.stepsSize > options.maxStepsSize) break;
    size += turn.stepsSize;
    wanted.push(turn.id);
  }
  const steps = lookup
    ? await lookup.loadSteps(wanted, { signal: options.signal })
    : new Map<string, readonly unknown[]>();

  const contents: Content[] = [];
  let position = 0;
  for (const turn of chain) {
    const at = answerAt.get(turn.prefixKey) as number;
    for (let i = position; i < at; i++) contents.push(client[i] as Content);
    contents.push(...modelSide(turn, steps.get(turn.id), client[at] as Content));
    position = at + 1;
  }
  const input = client.slice(position, continuing ? last : client.length);
  contents.push(...input);

  const lastContent = client[last] as Content;
  const continued = continuing
    ? {
        contents: continuedTurn
          ? modelSide(continuedTurn, steps.get(continuedTurn.id), lastContent)
          : [lastContent],
        text: visibleText(lastContent),
      }
    : undefined;
  const keyBase = continuing ? beforeLast : hasher;
  return {
    contents,
    parentId: continuedTurn ? continuedTurn.parentId : (chain.at(-1)?.id ?? null),
    input,
    matchedTurns: chain.length + (continuedTurn ? 1 : 0),
    stepsLeftOut: withSteps.length - wanted.length,
    continued,
    prefixKeyFor: (answer) => {
      if (!lookup) throw new Error("a history without a session has no prefix keys");
      return keyBase.copy().add("model", answer).key();
    },
  };
}

/**
 * The deepest matched turn and its stored ancestors, root first. Of several turns with the same
 * key (a regenerate that said the same thing, a retried message) a complete one wins over a
 * partial one, then the newest.
 */
function matchedChain(
  found: readonly TurnSummary[],
  answerAt: ReadonlyMap<string, number>,
): TurnSummary[] {
  let deepest: TurnSummary | undefined;
  let deepestAt = -1;
  const byId = new Map<string, TurnSummary>();
  for (const turn of found) {
    byId.set(turn.id, turn);
    const at = answerAt.get(turn.prefixKey) ?? -1;
    if (at > deepestAt || (at === deepestAt && deepest && better(turn, deepest))) {
      deepest = turn;
      deepestAt = at;
    }
  }
  const chain: TurnSummary[] = [];
  // Ancestors answer earlier messages of the same history, so their keys were asked for too;
  // one that is missing (a turn from before prefix keys that could not be backfilled) ends the
  // chain, and the messages before it come from the client alone.
  for (let turn = deepest; turn; turn = turn.parentId ? byId.get(turn.parentId) : undefined) {
    chain.unshift(turn);
  }
  return chain;
}

function better(a: TurnSummary, b: TurnSummary): boolean {
  if (a.status !== b.status) return a.status === "complete";
  return a.seq > b.seq;
}

/**
 * The model's side of a matched turn: its stored steps (function calls, results, final text)
 * when it completed and they were read; a partial turn's steps may end mid-call, so the client's
 * text stands in for them, as it does for steps left out.
 */
function modelSide(
  turn: TurnSummary,
  steps: readonly unknown[] | undefined,
  clientAnswer: Content,
): Content[] {
  if (turn.status !== "complete" || !steps || steps.length === 0) return [clientAnswer];
  const contents = steps as Content[];
  if (contents.at(-1)?.role === "model") return [...contents];
  // A run stopped by its step limit ends on function results; close it with what the client saw.
  return [...contents, clientAnswer];
}
