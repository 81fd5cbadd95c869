import { seededRandom } from '../../../kit/simulator.ts';

/** A UUID-shaped id (version 4 layout) from a seed: the same seed always gives the same id. */
export function uuidFrom(seed: string): string {
  const rand = seededRandom(seed);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const variant = (8 + Math.floor(rand() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

/** One element of a non-empty list, chosen by `rand`. */
export function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length) % list.length]!;
}

/** An integer in [min, max], chosen by `rand`. */
export function between(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** 32-bit integer hash of two lattice coordinates and a seed (for value noise). */
export function hash2(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 374761393) ^ Math.imul(y, 668265263) ^ Math.imul(seed, 2246822519);
  h = Math.imul(h ^ (h >>> 13), 1274126177);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** Lower-case, Swedish collation aside: what name matching compares. */
export const fold = (s: string): string => s.toLocaleLowerCase('sv-SE');
