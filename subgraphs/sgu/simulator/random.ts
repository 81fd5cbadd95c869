/**
 * Deterministic randomness for the SGU simulator. Everything synthetic is a pure function of a seed
 * and an index (a station id, a municipality and a well number, a grid cell), never `Math.random`:
 * the i-th well of a municipality or the cell under a point is computed on demand, identical on
 * every machine, without materialising the whole country.
 */

/** A 32-bit hash of a list of integers (murmur3's finaliser over each value). */
export function hashInts(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    h ^= Math.imul(v | 0, 0xcc9e2d51);
    h = Math.imul((h << 15) | (h >>> 17), 0x1b873593);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) from a list of integers. */
export const unit = (...values: number[]): number => hashInts(...values) / 4294967296;

/** A 32-bit seed from a string (FNV-1a), to key integer hashes by a name ("sgu:wells"). */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A small sequential generator over an integer seed list (for several values about one thing). */
export function stream(...values: number[]): () => number {
  let i = 0;
  return () => unit(...values, i++);
}

/** A value from `min` to `max` (uniform). */
export const between = (u: number, min: number, max: number): number => min + u * (max - min);

/** Picks by weight: `weights` need not sum to 1. */
export function pickWeighted<T>(u: number, items: readonly T[], weights: readonly number[]): T {
  let total = 0;
  for (const w of weights) total += w;
  let x = u * total;
  for (let i = 0; i < items.length; i++) {
    x -= weights[i] ?? 0;
    if (x < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/**
 * Value noise in [0, 1]: random values on an integer lattice, smoothly interpolated. Scaled by the
 * caller, it gives neighbouring map cells related values (soil types form patches, not salt and pepper).
 */
export function valueNoise(seed: number, x: number, y: number): number {
  const ix = Math.floor(x);
  const iy = Math.floor(y);
  const fx = smooth(x - ix);
  const fy = smooth(y - iy);
  const a = unit(seed, ix, iy);
  const b = unit(seed, ix + 1, iy);
  const c = unit(seed, ix, iy + 1);
  const d = unit(seed, ix + 1, iy + 1);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/** Rounded to `digits` decimals (values as SGU sends them: metres to the centimetre, degrees to 8). */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
