import { LRUCache } from "lru-cache";
import type { StoredTurn } from "./session-store.ts";

export interface TurnCacheLimits {
  /** Most turns kept; 0 keeps none. */
  readonly maxTurns: number;
  /** Most bytes kept, counted as the turns' JSON size (tool results can be large). */
  readonly maxBytes: number;
}

/**
 * Decoded turns by id, least recently used dropped first. A stored turn never changes (only a
 * session's head moves), so a cached turn is never stale, whichever process wrote it: a long
 * conversation re-reads its turn ids each request, not its JSON. Turns are deep-frozen because
 * every caller shares them (and so later steps may memoise work per turn object). Bounded in
 * bytes as well as turns, since the runtime runs with a capped V8 heap.
 */
export class TurnCache {
  readonly #turns: LRUCache<string, StoredTurn> | undefined;

  constructor(limits: TurnCacheLimits) {
    this.#turns =
      limits.maxTurns > 0 && limits.maxBytes > 0
        ? new LRUCache({
            max: limits.maxTurns,
            maxSize: limits.maxBytes,
            sizeCalculation: jsonSize,
          })
        : undefined;
  }

  get(id: string): StoredTurn | undefined {
    return this.#turns?.get(id);
  }

  /** Freezes and (if it fits) caches the turn; returns the frozen turn either way. */
  add(turn: StoredTurn): StoredTurn {
    const frozen = deepFreeze(turn);
    // A turn larger than the whole budget is simply not kept (lru-cache refuses it).
    this.#turns?.set(turn.id, frozen);
    return frozen;
  }

  get size(): number {
    return this.#turns?.size ?? 0;
  }

  get bytes(): number {
    return this.#turns?.calculatedSize ?? 0;
  }
}

function jsonSize(turn: StoredTurn): number {
  return (
    JSON.stringify(turn.input).length +
    JSON.stringify(turn.steps).length +
    turn.answer.length +
    turn.id.length * 2 +
    200
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
