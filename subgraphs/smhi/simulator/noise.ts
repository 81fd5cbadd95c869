/**
 * Deterministic smooth noise for the SMHI simulator's synthetic weather. Integer hashing only (no
 * `Math.random`, no state): the same inputs give the same value on every machine and run.
 */

/** A 32-bit hash of up to four integers and a salt (a murmur3-style finaliser). */
export function hash(a: number, b: number, c: number, salt: number): number {
  let h = Math.imul(a | 0, 0x27d4eb2d) ^ Math.imul(b | 0, 0x165667b1) ^ Math.imul(c | 0, 0x9e3779b1);
  h = Math.imul(h ^ salt, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hash mapped to [0, 1). */
export const unit = (a: number, b: number, c: number, salt: number): number =>
  hash(a, b, c, salt) / 4294967296;

/** A salt from a name, so that every field of the weather has its own independent noise. */
export function salt(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A lattice value in [-1, 1] (the hash above, inlined for speed: this runs millions of times). */
function lattice(x: number, y: number, z: number, s: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(z, 0x9e3779b1);
  h = Math.imul(h ^ s, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) * (2 / 4294967296) - 1;
}

/** Smooth value noise in 3-D (space, space, time), in [-1, 1]; continuous with continuous slope. */
export function noise3(x: number, y: number, z: number, s: number): number {
  const xi = Math.floor(x);
  const yi = Math.floor(y);
  const zi = Math.floor(z);
  const fx = x - xi;
  const fy = y - yi;
  const fz = z - zi;
  // Quintic fade: 6t⁵ − 15t⁴ + 10t³.
  const u = fx * fx * fx * (fx * (fx * 6 - 15) + 10);
  const v = fy * fy * fy * (fy * (fy * 6 - 15) + 10);
  const w = fz * fz * fz * (fz * (fz * 6 - 15) + 10);
  const x1 = xi + 1;
  const y1 = yi + 1;
  const z1 = zi + 1;
  const a = lattice(xi, yi, zi, s);
  const b = lattice(x1, yi, zi, s);
  const c = lattice(xi, y1, zi, s);
  const d = lattice(x1, y1, zi, s);
  const e = lattice(xi, yi, z1, s);
  const f = lattice(x1, yi, z1, s);
  const g = lattice(xi, y1, z1, s);
  const k = lattice(x1, y1, z1, s);
  const x00 = a + (b - a) * u;
  const x10 = c + (d - c) * u;
  const x01 = e + (f - e) * u;
  const x11 = g + (k - g) * u;
  const near = x00 + (x10 - x00) * v;
  const far = x01 + (x11 - x01) * v;
  return near + (far - near) * w;
}
