/**
 * Where SGU's maps have polygons: a raster of Sweden (0.05° cells) saying which municipality each
 * cell lies in, rasterised once from the embedded outlines (kit/data, okfse/sweden-geojson). The
 * soil and bedrock maps exist only on land, the geology of a cell depends on where it is (Gotland's
 * limestone, Skåne's clay till), and the coarse outlines miss islands and coast, so land is widened
 * by two raster cells (≈ 5–10 km) before it is used.
 */
import type { Polygonal, PolygonCoords } from '../../../kit/geo.ts';
import { geography, type MunicipalityRecord } from '../../../kit/sweden.ts';

const LAT0 = 55.0;
const LON0 = 10.5;
const STEP = 0.05;
const ROWS = 290; // to 69.5° N
const COLS = 280; // to 24.5° E
/** Raster cells by which land is widened (coast and islands the simplified outlines miss). */
const WIDEN = 2;

export interface LandMask {
  /** The municipality at a point (after widening), or null at sea or abroad. */
  municipalityAt(lat: number, lon: number): MunicipalityRecord | null;
  /** Whether the maps cover this point. */
  covered(lat: number, lon: number): boolean;
}

let mask: LandMask | undefined;

/** The raster (built once per process: ~80 000 cells, a few milliseconds). */
export function landMask(): LandMask {
  if (mask) return mask;
  const list = [...geography().municipalities.values()];
  const inside = new Uint16Array(ROWS * COLS);
  for (const [i, m] of list.entries()) rasterise(m.geometry, i + 1, inside);
  const widened = widen(inside);
  const index = (lat: number, lon: number) => {
    const r = Math.floor((lat - LAT0) / STEP);
    const c = Math.floor((lon - LON0) / STEP);
    return r < 0 || r >= ROWS || c < 0 || c >= COLS ? -1 : r * COLS + c;
  };
  mask = {
    municipalityAt(lat, lon) {
      const i = index(lat, lon);
      const v = i < 0 ? 0 : (widened[i] ?? 0);
      return v === 0 ? null : (list[v - 1] ?? null);
    },
    covered(lat, lon) {
      const i = index(lat, lon);
      return i >= 0 && (widened[i] ?? 0) !== 0;
    },
  };
  return mask;
}

/** Scan-line fill (even-odd over all rings of each polygon) at the centre latitude of each row. */
function rasterise(geometry: Polygonal, value: number, out: Uint16Array): void {
  const polys =
    geometry.type === 'Polygon'
      ? [geometry.coordinates as PolygonCoords]
      : (geometry.coordinates as PolygonCoords[]);
  for (const poly of polys) {
    let minLat = Infinity;
    let maxLat = -Infinity;
    for (const ring of poly)
      for (const p of ring) {
        const lat = p[1] as number;
        if (lat < minLat) minLat = lat;
        if (lat > maxLat) maxLat = lat;
      }
    const r0 = Math.max(0, Math.floor((minLat - LAT0) / STEP));
    const r1 = Math.min(ROWS - 1, Math.floor((maxLat - LAT0) / STEP));
    for (let r = r0; r <= r1; r++) {
      const y = LAT0 + (r + 0.5) * STEP;
      const xs: number[] = [];
      for (const ring of poly) {
        // Indexed access, not destructuring: this loop runs a few hundred thousand times.
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const a = ring[i] as number[];
          const b = ring[j] as number[];
          const yi = a[1] as number;
          const yj = b[1] as number;
          if (yi > y !== yj > y) {
            const xi = a[0] as number;
            xs.push(xi + ((y - yi) * ((b[0] as number) - xi)) / (yj - yi));
          }
        }
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const c0 = Math.max(0, Math.ceil(((xs[k] as number) - LON0) / STEP - 0.5));
        const c1 = Math.min(COLS - 1, Math.floor(((xs[k + 1] as number) - LON0) / STEP - 0.5));
        for (let c = c0; c <= c1; c++) out[r * COLS + c] = value;
      }
    }
  }
}

/** Empty cells within WIDEN cells of land take the value of the nearest land cell. */
function widen(inside: Uint16Array): Uint16Array {
  const out = new Uint16Array(inside);
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < COLS; c++) {
      if (inside[r * COLS + c] !== 0) continue;
      let best = 0;
      let bestD = Infinity;
      for (let dr = -WIDEN; dr <= WIDEN; dr++) {
        for (let dc = -WIDEN; dc <= WIDEN; dc++) {
          const rr = r + dr;
          const cc = c + dc;
          if (rr < 0 || rr >= ROWS || cc < 0 || cc >= COLS) continue;
          const v = inside[rr * COLS + cc] ?? 0;
          const d = dr * dr + dc * dc;
          if (v !== 0 && d < bestD) {
            best = v;
            bestD = d;
          }
        }
      }
      out[r * COLS + c] = best;
    }
  }
  return out;
}
