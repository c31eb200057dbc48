/**
 * Chunk vectors held in memory for the cosine half of hybrid ranking, searched by a
 * brute-force pass over one contiguous matrix: at 1000 chunks of 768 floats that is under a
 * millisecond, so no approximate index is needed at the sizes the limits allow. Both indexes
 * use it: SQLite has no vector type, and pgvector is not in Debian's Postgres 15 packages.
 */
export class NearestVectors {
  /** Chunk id → unit vector (cosine is then a dot product). */
  readonly #vectors = new Map<number, Float32Array>();
  #matrix: { ids: number[]; matrix: Float32Array; dimensions: number } | undefined;

  set(id: number, vector: Float32Array): void {
    this.#vectors.set(id, vector);
    this.#matrix = undefined;
  }

  delete(id: number): void {
    this.#vectors.delete(id);
    this.#matrix = undefined;
  }

  clear(): void {
    this.#vectors.clear();
    this.#matrix = undefined;
  }

  /** The ids of the `count` vectors nearest `query` (dot product), nearest first. */
  nearest(query: Float32Array, count: number): number[] {
    const { ids, matrix, dimensions } = this.#packed();
    if (dimensions !== query.length || ids.length === 0) return [];
    const scores = new Float32Array(ids.length);
    for (let row = 0; row < ids.length; row++) {
      let dot = 0;
      const base = row * dimensions;
      for (let i = 0; i < dimensions; i++)
        dot += (matrix[base + i] as number) * (query[i] as number);
      scores[row] = dot;
    }
    const order = Array.from(ids.keys()).sort(
      (a, b) => (scores[b] as number) - (scores[a] as number),
    );
    return order.slice(0, count).map((row) => ids[row] as number);
  }

  /** The vectors as one matrix, rebuilt after a change (vectors of another size are left out). */
  #packed(): { ids: number[]; matrix: Float32Array; dimensions: number } {
    if (this.#matrix) return this.#matrix;
    const dimensions = this.#vectors.values().next().value?.length ?? 0;
    const ids = [...this.#vectors].filter(([, v]) => v.length === dimensions).map(([id]) => id);
    const matrix = new Float32Array(ids.length * dimensions);
    for (const [row, id] of ids.entries()) {
      matrix.set(this.#vectors.get(id) as Float32Array, row * dimensions);
    }
    this.#matrix = { ids, matrix, dimensions };
    return this.#matrix;
  }
}

/** A vector as stored (float32, platform byte order: little-endian on every target we run). */
export function vectorToBytes(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

export function bytesToVector(bytes: Uint8Array): Float32Array {
  // A copy: the bytes' buffer may be shared and unaligned.
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}
