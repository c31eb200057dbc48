import type { StoredTurn } from "./session-store.ts";

/**
 * Decoded turns by id, least recently used dropped first. A stored turn never changes (only a
 * session's head moves), so a cached turn is never stale, whichever process wrote it: a long
 * conversation re-reads its turn ids each request, not its JSON. Turns are deep-frozen because
 * every caller shares them.
 */
export class TurnCache {
  readonly #max: number;
  readonly #turns = new Map<string, StoredTurn>();

  constructor(maxTurns: number) {
    this.#max = maxTurns;
  }

  get(id: string): StoredTurn | undefined {
    const turn = this.#turns.get(id);
    if (turn) {
      // Map keeps insertion order: re-inserting marks the turn as recently used.
      this.#turns.delete(id);
      this.#turns.set(id, turn);
    }
    return turn;
  }

  add(turn: StoredTurn): StoredTurn {
    const frozen = deepFreeze(turn);
    if (this.#max <= 0) return frozen;
    this.#turns.delete(turn.id);
    this.#turns.set(turn.id, frozen);
    while (this.#turns.size > this.#max) {
      const oldest = this.#turns.keys().next().value;
      if (oldest === undefined) break;
      this.#turns.delete(oldest);
    }
    return frozen;
  }

  get size(): number {
    return this.#turns.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
