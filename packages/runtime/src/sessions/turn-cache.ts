import { LRUCache } from "lru-cache";
import type { StoredTurn } from "./session-store.ts";

/**
 * Decoded turns by id, least recently used dropped first. A stored turn never changes (only a
 * session's head moves), so a cached turn is never stale, whichever process wrote it: a long
 * conversation re-reads its turn ids each request, not its JSON. Turns are deep-frozen because
 * every caller shares them (and so later steps may memoise work per turn object).
 */
export class TurnCache {
  readonly #turns: LRUCache<string, StoredTurn> | undefined;

  constructor(maxTurns: number) {
    this.#turns = maxTurns > 0 ? new LRUCache({ max: maxTurns }) : undefined;
  }

  get(id: string): StoredTurn | undefined {
    return this.#turns?.get(id);
  }

  add(turn: StoredTurn): StoredTurn {
    const frozen = deepFreeze(turn);
    this.#turns?.set(turn.id, frozen);
    return frozen;
  }

  get size(): number {
    return this.#turns?.size ?? 0;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
