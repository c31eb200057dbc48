import { createHash } from "node:crypto";

/** gemini-embedding-001's default size; callers may ask for fewer (`outputDimensionality`). */
export const FAKE_EMBEDDING_DIMENSIONS = 3072;

/**
 * A deterministic stand-in for a text embedding: feature hashing of the text's lower-cased
 * words and of their character trigrams, L2-normalised. Texts that share words (or parts of
 * words: "refund", "refunds") get nearby vectors, so cosine ranking behaves sensibly in tests
 * without a model. Not a semantic embedding: synonyms are not close.
 */
export function fakeEmbedding(text: string, dimensions = FAKE_EMBEDDING_DIMENSIONS): number[] {
  const values = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    bump(values, `w:${word}`, 1);
    const padded = `^${word}$`;
    for (let i = 0; i + 3 <= padded.length; i++) bump(values, `t:${padded.slice(i, i + 3)}`, 0.5);
  }
  const norm = Math.hypot(...values);
  return norm === 0 ? values : values.map((value) => value / norm);
}

function bump(values: number[], feature: string, weight: number): void {
  const digest = createHash("sha1").update(feature).digest();
  const index = digest.readUInt32BE(0) % values.length;
  const sign = (digest[4] ?? 0) & 1 ? 1 : -1;
  values[index] = (values[index] ?? 0) + sign * weight;
}
