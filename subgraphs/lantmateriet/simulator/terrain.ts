import { toSweref } from '../coords.ts';
import type { MultiPolygonCoords } from './geography.ts';
import { hash2 } from './util.ts';

/**
 * SYNTHETIC ground heights (metres, "RH 2000") for the simulated Markhöjd Direkt: a deterministic
 * function of the position, not Lantmäteriet's elevation model. It is built so that answers are
 * plausible, not true:
 *
 * - Sweden's outline (dissolved from the 290 embedded municipality outlines) is split into **coast**,
 *   the **Norwegian border** and the **Finnish border** by position (west side north of Svinesund =
 *   Norway; the north-east beyond the Bothnian Bay = Finland; the rest = sea).
 * - On a 2 km grid in SWEREF 99 TM, a distance transform gives each cell its distance to the coast
 *   and to the Norwegian border, and a scanline fill tells land from sea/abroad.
 * - Height = a regional plateau that rises inland from the coast (low in Skåne and the central
 *   lowlands around Mälaren, ~300 m on the South Swedish highlands, 400–500 m in inland Norrland)
 *   + a mountain range along the Norwegian border (higher to the north, up to ~2 000 m with the
 *   relief noise) + smooth seeded value noise (4 octaves, 60 km down to 2 km) scaled to the local
 *   relief. It fades to ~0 m at the coast.
 * - Outside Sweden (sea farther than 3 km from the coast, Norway, Finland): no data (−9999), as the
 *   real model covers Sweden's land only. Just off the simplified coast (islands, archipelago) the
 *   height stays low (0–5 m).
 */

export const NO_DATA = -9999;

const CELL = 2000;
const E0 = 220_000;
const E1 = 960_000;
const N0 = 6_080_000;
const N1 = 7_720_000;
const COLS = Math.round((E1 - E0) / CELL) + 1;
const ROWS = Math.round((N1 - N0) / CELL) + 1;
/** How far off the simplified coast points still get a (low) height: islands and skerries. */
const OFFSHORE_KM = 3;

type Side = 'coast' | 'norway' | 'finland';

/** Which kind of boundary an outline vertex lies on (see the module comment). */
export function boundaryKind(lon: number, lat: number): Side {
  // North of the Bothnian Bay everything is a land border: Finland east of the Torne valley's line.
  if (lat > 65.95) return lon > 20.6 ? 'finland' : 'norway';
  if (lat < 59.08) return 'coast'; // south of Svinesund: Bohuslän, Halland, Skåne, the Baltic
  // The west side is Norway: a dividing meridian well east of the border and west of the coast.
  const divide = lat < 63 ? 15 : 15 + ((lat - 63) * (20.6 - 15)) / (69.1 - 63);
  return lon < divide ? 'norway' : 'coast';
}

interface Fields {
  /** Distance to the coast, km. */
  coast: Float32Array;
  /** Distance to the Norwegian border, km. */
  norway: Float32Array;
  /** Distance to any outline edge, km. */
  outline: Float32Array;
  /** 1 inside Sweden's outline. */
  inside: Uint8Array;
}

function inRing(ring: readonly (readonly number[])[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

const index = (col: number, row: number) => row * COLS + col;

/** Two-pass chamfer distance transform (3-4 weights ≈ Euclidean within a few %), in km. */
function distanceTransform(seeds: Uint8Array): Float32Array {
  const d = new Float32Array(COLS * ROWS).fill(1e9);
  for (let i = 0; i < d.length; i++) if (seeds[i]) d[i] = 0;
  const a = CELL / 1000;
  const b = a * Math.SQRT2;
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      const i = index(c, r);
      let v = d[i]!;
      if (c > 0) v = Math.min(v, d[i - 1]! + a);
      if (r > 0) {
        v = Math.min(v, d[i - COLS]! + a);
        if (c > 0) v = Math.min(v, d[i - COLS - 1]! + b);
        if (c < COLS - 1) v = Math.min(v, d[i - COLS + 1]! + b);
      }
      d[i] = v;
    }
  }
  for (let r = ROWS - 1; r >= 0; r--) {
    for (let c = COLS - 1; c >= 0; c--) {
      const i = index(c, r);
      let v = d[i]!;
      if (c < COLS - 1) v = Math.min(v, d[i + 1]! + a);
      if (r < ROWS - 1) {
        v = Math.min(v, d[i + COLS]! + a);
        if (c < COLS - 1) v = Math.min(v, d[i + COLS + 1]! + b);
        if (c > 0) v = Math.min(v, d[i + COLS - 1]! + b);
      }
      d[i] = v;
    }
  }
  return d;
}

function buildFields(outline: MultiPolygonCoords): Fields {
  const seeds: Record<Side, Uint8Array> = {
    coast: new Uint8Array(COLS * ROWS),
    norway: new Uint8Array(COLS * ROWS),
    finland: new Uint8Array(COLS * ROWS),
  };
  const any = new Uint8Array(COLS * ROWS);
  const crossings: number[][] = Array.from({ length: ROWS }, () => []);
  const mark = (grid: Uint8Array, e: number, n: number) => {
    const c = Math.round((e - E0) / CELL);
    const r = Math.round((n - N0) / CELL);
    if (c >= 0 && c < COLS && r >= 0 && r < ROWS) grid[index(c, r)] = 1;
  };
  // Exterior rings only: the holes of the dissolved outline are lakes no municipality covers
  // (parts of Vänern, Vättern, …), neither coast nor abroad. The mainland is the largest exterior
  // (`dissolve` sorts them by area); an exterior inside the mainland's ring is an island in a lake
  // (Visingsö) or a sliver, not a sea coast, and is already land.
  const mainland = outline[0]![0]!;
  const exteriors = [
    mainland,
    ...outline.slice(1).flatMap((polygon) => {
      const ring = polygon[0]!;
      return inRing(mainland, ring[0]![0]!, ring[0]![1]!) ? [] : [ring];
    }),
  ];
  for (const ring of exteriors) {
    const projected = ring.map(([lon, lat]) => ({ ...toSweref(lat!, lon!), lon: lon!, lat: lat! }));
    for (let i = 0; i + 1 < projected.length; i++) {
      const p = projected[i]!;
      const q = projected[i + 1]!;
      const side = boundaryKind((p.lon + q.lon) / 2, (p.lat + q.lat) / 2);
      const steps = Math.max(1, Math.ceil(Math.hypot(q.e - p.e, q.n - p.n) / (CELL / 4)));
      for (let s = 0; s <= steps; s++) {
        const e = p.e + ((q.e - p.e) * s) / steps;
        const n = p.n + ((q.n - p.n) * s) / steps;
        mark(seeds[side], e, n);
        mark(any, e, n);
      }
      // Scanline crossings at row centres (half-open rule, so a vertex is counted once).
      const rLow = Math.ceil((Math.min(p.n, q.n) - N0) / CELL);
      const rHigh = Math.floor((Math.max(p.n, q.n) - N0) / CELL);
      for (let r = Math.max(0, rLow); r <= Math.min(ROWS - 1, rHigh); r++) {
        const n = N0 + r * CELL;
        if (p.n > n === q.n > n) continue;
        crossings[r]!.push(p.e + ((n - p.n) * (q.e - p.e)) / (q.n - p.n));
      }
    }
  }
  const inside = new Uint8Array(COLS * ROWS);
  crossings.forEach((xs, r) => {
    xs.sort((x, y) => x - y);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil((xs[k]! - E0) / CELL));
      const to = Math.min(COLS - 1, Math.floor((xs[k + 1]! - E0) / CELL));
      for (let c = from; c <= to; c++) inside[index(c, r)] = 1;
    }
  });
  return {
    coast: distanceTransform(seeds.coast),
    norway: distanceTransform(seeds.norway),
    outline: distanceTransform(any),
    inside,
  };
}

/** Bilinear sample of a field at SWEREF (n, e); null outside the grid. */
function sample(field: Float32Array, n: number, e: number): number | null {
  const x = (e - E0) / CELL;
  const y = (n - N0) / CELL;
  if (x < 0 || y < 0 || x >= COLS - 1 || y >= ROWS - 1) return null;
  const c = Math.floor(x);
  const r = Math.floor(y);
  const fx = x - c;
  const fy = y - r;
  const v00 = field[index(c, r)]!;
  const v10 = field[index(c + 1, r)]!;
  const v01 = field[index(c, r + 1)]!;
  const v11 = field[index(c + 1, r + 1)]!;
  return (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy;
}

/** Piecewise-linear lookup in a table of [latitude, value] pairs sorted by latitude. */
function byLatitude(table: ReadonlyArray<readonly [number, number]>, lat: number): number {
  if (lat <= table[0]![0]) return table[0]![1];
  for (let i = 1; i < table.length; i++) {
    const [l1, v1] = table[i]!;
    if (lat <= l1) {
      const [l0, v0] = table[i - 1]!;
      return v0 + ((v1 - v0) * (lat - l0)) / (l1 - l0);
    }
  }
  return table[table.length - 1]![1];
}

/** Inland plateau height (m) far from the coast, by latitude: the model's regional character. */
const PLATEAU: ReadonlyArray<readonly [number, number]> = [
  [55.3, 70], // Skåne plains
  [56.0, 130],
  [56.8, 260], // South Swedish highlands
  [57.6, 310],
  [58.2, 200],
  [58.7, 80], // central lowlands (Mälaren, Hjälmaren)
  [59.4, 55],
  [60.0, 90],
  [60.6, 230],
  [61.5, 360],
  [63.0, 430],
  [65.0, 470],
  [67.0, 500],
  [69.1, 520],
];

/** Height (m) the mountain range adds right at the Norwegian border, by latitude. */
const RANGE: ReadonlyArray<readonly [number, number]> = [
  [58.9, 0],
  [59.5, 150],
  [60.5, 350],
  [61.5, 600],
  [62.5, 800],
  [63.5, 700],
  [65.0, 650],
  [66.5, 750],
  [67.6, 900],
  [68.4, 750],
  [69.1, 600],
];

/** Smooth value noise in [-1, 1] (cosine-eased), one octave, lattice step `scale` metres. */
function valueNoise(n: number, e: number, scale: number, seed: number): number {
  const x = e / scale;
  const y = n / scale;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const ease = (t: number) => (1 - Math.cos(t * Math.PI)) / 2;
  const fx = ease(x - x0);
  const fy = ease(y - y0);
  const v = (i: number, j: number) => hash2(i, j, seed) * 2 - 1;
  const top = v(x0, y0) * (1 - fx) + v(x0 + 1, y0) * fx;
  const bottom = v(x0, y0 + 1) * (1 - fx) + v(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Fractal noise in about [-1, 1]: 60, 20, 6 and 2 km octaves. */
function fbm(n: number, e: number): number {
  return (
    0.5 * valueNoise(n, e, 60_000, 11) +
    0.27 * valueNoise(n, e, 20_000, 23) +
    0.15 * valueNoise(n, e, 6_000, 37) +
    0.08 * valueNoise(n, e, 2_000, 41)
  );
}

/** Ridged noise in [0, 1]: sharp crests for the mountains. */
function ridges(n: number, e: number): number {
  const r1 = 1 - Math.abs(valueNoise(n, e, 25_000, 53));
  const r2 = 1 - Math.abs(valueNoise(n, e, 8_000, 59));
  return 0.65 * r1 * r1 + 0.35 * r2 * r2;
}

/** Debug view of the fields at a point (tests and calibration). */
export interface TerrainProbe {
  coastKm: number | null;
  norwayKm: number | null;
  inside: boolean;
}

export interface Terrain {
  /** Ground height in metres (one decimal) at SWEREF 99 TM (n, e), or NO_DATA outside Sweden. */
  height(n: number, e: number): number;
  probe(n: number, e: number): TerrainProbe;
}

/** The synthetic terrain over Sweden's outline; the grids are built on the first call (~50 ms). */
export function createTerrain(outline: () => MultiPolygonCoords): Terrain {
  let fields: Fields | undefined;
  return {
    probe(n, e) {
      fields ??= buildFields(outline());
      const x = Math.round((e - E0) / CELL);
      const y = Math.round((n - N0) / CELL);
      return {
        coastKm: sample(fields.coast, n, e),
        norwayKm: sample(fields.norway, n, e),
        inside: fields.inside[index(x, y)] === 1,
      };
    },
    height(n, e) {
      fields ??= buildFields(outline());
      if (!Number.isFinite(n) || !Number.isFinite(e)) return NO_DATA;
      const toOutline = sample(fields.outline, n, e);
      if (toOutline === null) return NO_DATA;
      const x = Math.round((e - E0) / CELL);
      const y = Math.round((n - N0) / CELL);
      const inside = fields.inside[index(x, y)] === 1;
      const dc = sample(fields.coast, n, e)!;
      const db = sample(fields.norway, n, e)!;
      if (!inside) {
        // Off the simplified coast: skerries and shore, low; at sea, in Norway or Finland: no data.
        if (dc > OFFSHORE_KM || toOutline > OFFSHORE_KM || dc > toOutline + 0.5) return NO_DATA;
        return Math.round(Math.max(0, 5 * (1 - dc / OFFSHORE_KM) * (0.5 + 0.5 * fbm(n, e))) * 10) / 10;
      }
      // Latitude from the northing is close enough for the regional tables (±0.1°).
      const lat = 55 + (n - 6_097_000) / 111_200;
      const plateau = byLatitude(PLATEAU, lat) * (1 - Math.exp(-dc / 45));
      // The range widens to the north (~30 km wide in Dalarna, ~55 km in Lapland).
      const width = Math.min(55, Math.max(30, 30 + (lat - 60) * 3.1));
      const range = byLatitude(RANGE, lat) * Math.exp(-((Math.max(0, db - 5) / width) ** 2));
      const mountain = range * (0.15 + 1.55 * ridges(n, e) ** 2);
      const relief = 0.22 * plateau + 0.25 * mountain + 4;
      const coastFade = 1 - Math.exp(-(dc + 0.2) / 2.5);
      const h = (plateau + mountain + relief * fbm(n, e)) * coastFade;
      return Math.round(Math.max(0, h) * 10) / 10;
    },
  };
}
