import { LRUCache } from "lru-cache";

export interface StepsCacheLimits {
  /** Most turns whose steps are kept; 0 keeps none. */
  readonly maxTurns: number;
  /** Most bytes kept, counted as the steps' JSON size (tool results can be large). */
  readonly maxBytes: number;
}

/**
 * Decoded steps by turn (the store keys them by session and turn id), least recently used dropped first. A stored turn never changes, so
 * cached steps are never stale, whichever process wrote them: a long conversation re-reads a
 * few ids per request, not its JSON. The steps are deep-frozen because every request shares
 * them (and so later code may memoise work per content object). Bounded in bytes as well as
 * turns, since the runtime runs with a capped V8 heap.
 */
export class StepsCache {
  readonly #steps: LRUCache<string, readonly unknown[]> | undefined;

  constructor(limits: StepsCacheLimits) {
    this.#steps =
      limits.maxTurns > 0 && limits.maxBytes > 0
        ? new LRUCache({
            max: limits.maxTurns,
            maxSize: limits.maxBytes,
            // Set with the size each time (the JSON length is known where steps are read).
            sizeCalculation: (steps) => JSON.stringify(steps).length + 100,
          })
        : undefined;
  }

  get(key: string): readonly unknown[] | undefined {
    return this.#steps?.get(key);
  }

  /** Freezes and (if they fit) caches the steps under `key`; returns the frozen steps either way. */
  add(key: string, steps: unknown[], jsonSize?: number): readonly unknown[] {
    const frozen = deepFreeze(steps);
    // Steps larger than the whole budget are simply not kept (lru-cache refuses them).
    this.#steps?.set(key, frozen, jsonSize === undefined ? {} : { size: jsonSize + 100 });
    return frozen;
  }

  get size(): number {
    return this.#steps?.size ?? 0;
  }

  get bytes(): number {
    return this.#steps?.calculatedSize ?? 0;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
