/**
 * The soil and bedrock maps: a deterministic tessellation of Sweden into jittered grid cells whose
 * shared corners and edge points are hashed from their grid position, so neighbouring cells fit
 * exactly (no gaps, no overlaps) and any cell can be built on its own. A `bbox` request returns every
 * cell that touches the box, whole (SGU's API does not clip), so answers extend beyond the box.
 *
 * Cell sizes follow the map scales: ≈ 1 km for the soil map 1:25 000–1:100 000 (south of 65.1° N,
 * where it has coverage), ≈ 4.5 km for the soil map 1:250 000, ≈ 5.5 km for bedrock 1:50 000–1:250 000.
 */

import { bedrockAt, SOIL_CLASSES, soilAt, soilSymbol } from './geology.ts';
import type { Geometry } from './geometry.ts';
import { ringMeasures } from './geometry.ts';
import { landMask } from './landmask.ts';
import { hashInts, round, seedOf, unit } from './random.ts';

/** North of this latitude the 1:25 000–1:100 000 soil map has no coverage (the client's limit too). */
export const SOIL_25K_NORTH_LIMIT = 65.1;

export interface GridSpec {
  name: '25k' | '250k' | 'bedrock';
  seed: number;
  lat0: number;
  lon0: number;
  dLat: number;
  dLon: number;
  rows: number;
  cols: number;
  /** Added to the cell index to make `objectid` (ids of the three maps never collide). */
  idBase: number;
}

const grid = (
  name: GridSpec['name'],
  dLat: number,
  dLon: number,
  idBase: number,
  maxLat = 69.5,
): GridSpec => ({
  name,
  seed: seedOf(`sgu:grid:${name}`),
  lat0: 55.0,
  lon0: 10.5,
  dLat,
  dLon,
  rows: Math.round((maxLat - 55.0) / dLat),
  cols: Math.round((24.5 - 10.5) / dLon),
  idBase,
});

export const GRIDS = {
  soil25k: grid('25k', 0.01, 0.02, 2_000_000),
  soil250k: grid('250k', 0.04, 0.08, 500_000),
  bedrock: grid('bedrock', 0.05, 0.1, 300_000),
} as const;

/** Node jitter and edge-point offset, as fractions of a cell (small enough that edges never cross). */
const NODE_JITTER = 0.3;
const EDGE_OFFSET = 0.12;
const EDGE_POINTS = [0.25, 0.5, 0.75];

function node(g: GridSpec, r: number, c: number): [number, number] {
  const h = hashInts(g.seed, r, c);
  const jx = ((h & 0xffff) / 0x10000 - 0.5) * NODE_JITTER;
  const jy = ((h >>> 16) / 0x10000 - 0.5) * NODE_JITTER;
  return [g.lon0 + (c + jx) * g.dLon, g.lat0 + (r + jy) * g.dLat];
}

/** Interior points of the horizontal edge from node (r, c) to (r, c+1), west to east. */
function hEdge(g: GridSpec, r: number, c: number): Array<[number, number]> {
  const [x0, y0] = node(g, r, c);
  const [x1, y1] = node(g, r, c + 1);
  return EDGE_POINTS.map((t, k) => [
    x0 + (x1 - x0) * t,
    y0 + (y1 - y0) * t + (unit(g.seed, 1, r, c, k) - 0.5) * EDGE_OFFSET * g.dLat,
  ]);
}

/** Interior points of the vertical edge from node (r, c) to (r+1, c), south to north. */
function vEdge(g: GridSpec, r: number, c: number): Array<[number, number]> {
  const [x0, y0] = node(g, r, c);
  const [x1, y1] = node(g, r + 1, c);
  return EDGE_POINTS.map((t, k) => [
    x0 + (x1 - x0) * t + (unit(g.seed, 2, r, c, k) - 0.5) * EDGE_OFFSET * g.dLon,
    y0 + (y1 - y0) * t,
  ]);
}

const r8 = (p: [number, number]): [number, number] => [round(p[0], 8), round(p[1], 8)];

/** The outline of cell (r, c), counter-clockwise, closed. */
export function cellRing(g: GridSpec, r: number, c: number): Array<[number, number]> {
  const ring: Array<[number, number]> = [
    node(g, r, c),
    ...hEdge(g, r, c),
    node(g, r, c + 1),
    ...vEdge(g, r, c + 1),
    node(g, r + 1, c + 1),
    ...hEdge(g, r + 1, c).reverse(),
    node(g, r + 1, c),
    ...vEdge(g, r, c).reverse(),
  ];
  ring.push(ring[0]!);
  return ring.map(r8);
}

/** The centre of a cell (undisplaced grid). */
export const cellCentre = (g: GridSpec, r: number, c: number) => ({
  lat: g.lat0 + (r + 0.5) * g.dLat,
  lon: g.lon0 + (c + 0.5) * g.dLon,
});

/** Whether a map has a polygon for this cell (land only; the 25k map only south of 65.1° N). */
export function cellExists(g: GridSpec, r: number, c: number): boolean {
  if (r < 0 || c < 0 || r >= g.rows || c >= g.cols) return false;
  const { lat, lon } = cellCentre(g, r, c);
  if (g.name === '25k' && lat > SOIL_25K_NORTH_LIMIT) return false;
  return landMask().covered(lat, lon);
}

/** Row and column of an `objectid`, or null when it is not one of this map's. */
export function cellOfObjectId(g: GridSpec, objectid: number): { r: number; c: number } | null {
  const i = objectid - g.idBase;
  if (!Number.isInteger(i) || i < 0 || i >= g.rows * g.cols) return null;
  const r = Math.floor(i / g.cols);
  const c = i % g.cols;
  return cellExists(g, r, c) ? { r, c } : null;
}

/** The rows and columns whose cells may touch a CRS84 envelope (jitter stays within one cell). */
export function cellRange(
  g: GridSpec,
  box: { minLon: number; minLat: number; maxLon: number; maxLat: number },
): { r0: number; r1: number; c0: number; c1: number } {
  return {
    r0: Math.max(0, Math.floor((box.minLat - g.lat0) / g.dLat) - 1),
    r1: Math.min(g.rows - 1, Math.floor((box.maxLat - g.lat0) / g.dLat) + 1),
    c0: Math.max(0, Math.floor((box.minLon - g.lon0) / g.dLon) - 1),
    c1: Math.min(g.cols - 1, Math.floor((box.maxLon - g.lon0) / g.dLon) + 1),
  };
}

export interface MapFeature {
  id: string;
  geometry: Geometry;
  properties: Record<string, string | number | null>;
}

/** Map-sheet name of a cell (kartering): a synthetic sheet of 25 × 25 cells. */
const sheetOf = (g: GridSpec, r: number, c: number) =>
  `syntetisk_blad_${Math.floor(r / 25)}_${Math.floor(c / 25)}_${g.name}`;

/** The `grundlager` polygon of a soil map cell, in SGU's property order. */
export function soilFeature(g: GridSpec, r: number, c: number): MapFeature {
  const ring = cellRing(g, r, c);
  const { lat, lon } = cellCentre(g, r, c);
  const objectid = g.idBase + r * g.cols + c;
  const code = soilAt(hashInts(g.seed, r, c, 7), lat, lon, g.name === '25k' ? '25k' : '250k');
  const { area, length } = ringMeasures(ring);
  return {
    id: `grundlager.${objectid}`,
    geometry: { type: 'Polygon', coordinates: [ring] },
    properties: {
      jg2: code,
      jg2_tx: SOIL_CLASSES[code] ?? null,
      kartering: sheetOf(g, r, c),
      // Map type: the reference's real response has 2; the 250k map is its own type here.
      karttyp: g.name === '25k' ? 1 + (hashInts(g.seed, Math.floor(r / 25), Math.floor(c / 25)) % 2) : 5,
      symbol: soilSymbol(code),
      objectid,
      geom_area: round(area, 5),
      geom_length: round(length, 5),
    },
  };
}

/** The `geologisk-enhet-yta` polygon of a bedrock map cell. */
export function bedrockFeature(g: GridSpec, r: number, c: number): MapFeature {
  const ring = cellRing(g, r, c);
  const { lat, lon } = cellCentre(g, r, c);
  const objectid = g.idBase + r * g.cols + c;
  const { unit: b, tectonic } = bedrockAt(hashInts(g.seed, r, c, 11), lat, lon);
  const { area } = ringMeasures(ring);
  return {
    id: `geologisk-enhet-yta.${objectid}`,
    geometry: { type: 'Polygon', coordinates: [ring] },
    properties: {
      // UNCONFIRMED: a rock-type code beside bergart_tx, as SGU pairs codes with its `_tx` texts
      // elsewhere (jg2/jg2_tx); the client reads it when present. Codes are the simulator's own.
      bergart: b.code,
      bergart_tx: b.rock,
      geo_enh_tx: b.unit,
      lito_n_tx: b.lithology,
      tekt_n_tx: tectonic,
      b_prop_tx: b.property,
      min_ss_tx: b.minerals,
      kem_ss_tx: b.chemistry,
      geom_area: round(area, 5),
      objectid,
    },
  };
}
