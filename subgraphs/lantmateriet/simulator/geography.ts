import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BBox, bboxOf, type Polygonal, type PolygonCoords, polygonsOf } from '../../../kit/geo.ts';
import { type CountyRecord, geography, type MunicipalityRecord } from '../../../kit/sweden.ts';

/**
 * The boundaries the simulated "Kommun, län och rike Direkt" serves: the real embedded outlines of
 * `kit/data/` (okfse/sweden-geojson, simplified; provenance there). Municipalities are the
 * file's own polygons. Counties and the realm (rike) are **dissolved** from the municipalities, so
 * they follow the present county division (the file's own county polygons are older, see
 * `kit/data/PROVENANCE-okfse.md`): the municipality outlines share their borders vertex for vertex
 * (mapshaper keeps topology when simplifying), so every edge used by two municipalities of the set
 * cancels out and the remaining edges chain into the outer rings.
 */

export type MultiPolygonCoords = PolygonCoords[];

/** Signed area of a ring in coordinate units (positive = counter-clockwise). */
function signedArea(ring: readonly (readonly number[])[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    sum += (xj - xi) * (yj + yi);
  }
  return sum / 2;
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

/** The union of polygonal geometries that share borders exactly, as a MultiPolygon. */
export function dissolve(geometries: readonly Polygonal[]): MultiPolygonCoords {
  // Vertices get integer ids (exact coordinate equality); an edge a→b is the number a·2²⁴ + b.
  const ids = new Map<string, number>();
  const points: number[][] = [];
  const idOf = (p: number[]): number => {
    const key = `${p[0]},${p[1]}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = points.length;
      ids.set(key, id);
      points.push(p);
    }
    return id;
  };
  const SHIFT = 2 ** 24;
  const edges = new Map<number, number>();
  for (const geometry of geometries) {
    for (const polygon of polygonsOf(geometry)) {
      for (const ring of polygon) {
        for (let i = 0; i + 1 < ring.length; i++) {
          const a = idOf(ring[i]!);
          const b = idOf(ring[i + 1]!);
          if (a === b) continue;
          const reverse = b * SHIFT + a;
          const back = edges.get(reverse);
          if (back !== undefined) {
            if (back === 1) edges.delete(reverse);
            else edges.set(reverse, back - 1);
          } else edges.set(a * SHIFT + b, (edges.get(a * SHIFT + b) ?? 0) + 1);
        }
      }
    }
  }
  const next = new Map<number, number[]>();
  for (const [edge, count] of edges) {
    const a = Math.floor(edge / SHIFT);
    const b = edge % SHIFT;
    const list = next.get(a) ?? [];
    for (let i = 0; i < count; i++) list.push(b);
    next.set(a, list);
  }
  const rings: number[][][] = [];
  for (const start of [...next.keys()].sort((x, y) => x - y)) {
    while ((next.get(start)?.length ?? 0) > 0) {
      const ring: number[][] = [points[start]!];
      let current = start;
      for (let guard = 0; guard < 10_000_000; guard++) {
        const to = next.get(current)?.shift();
        if (to === undefined) break;
        ring.push(points[to]!);
        current = to;
        if (current === start) break;
      }
      if (ring.length >= 4 && current === start) rings.push(ring);
    }
  }
  // Exterior rings keep the source's counter-clockwise order, holes its clockwise order.
  const exteriors = rings.filter((r) => signedArea(r) > 0).sort((a, b) => signedArea(b) - signedArea(a));
  const holes = rings.filter((r) => signedArea(r) <= 0);
  const polygons: MultiPolygonCoords = exteriors.map((r) => [r]);
  for (const hole of holes) {
    const [x, y] = hole[0] as [number, number];
    const owner = polygons.find((p) => inRing(p[0]!, x, y));
    owner?.push(hole);
  }
  return polygons;
}

/** Polygon or MultiPolygon → MultiPolygon coordinates (the service always answers MultiPolygon). */
export function asMultiPolygon(geometry: Polygonal): MultiPolygonCoords {
  return polygonsOf(geometry);
}

const EARTH_RADIUS_KM = 6371.0088;

/** Area in km² of polygons in WGS84 on the sphere (within ~0.3 % of the ellipsoidal area in Sweden). */
export function areaKm2(polygons: MultiPolygonCoords): number {
  const rad = Math.PI / 180;
  let total = 0;
  for (const polygon of polygons) {
    polygon.forEach((ring, i) => {
      let sum = 0;
      for (let k = 0; k + 1 < ring.length; k++) {
        const [lon1, lat1] = ring[k] as [number, number];
        const [lon2, lat2] = ring[k + 1] as [number, number];
        sum += (lon2 - lon1) * rad * (2 + Math.sin(lat1 * rad) + Math.sin(lat2 * rad));
      }
      const a = Math.abs((sum * EARTH_RADIUS_KM * EARTH_RADIUS_KM) / 2);
      total += i === 0 ? a : -a;
    });
  }
  return total;
}

/** One boundary unit the simulator serves. */
export interface BoundaryUnit {
  code: string;
  name: string;
  /** Short name (namnKortform). */
  shortName: string;
  polygons: MultiPolygonCoords;
  bbox: BBox;
}

export interface SimGeography {
  municipalities: readonly MunicipalityRecord[];
  counties: readonly CountyRecord[];
  municipality(code: string): MunicipalityRecord | undefined;
  county(code: string): CountyRecord | undefined;
  /** Kommun boundary units, by code. */
  kommun(code: string): BoundaryUnit | undefined;
  /** Län boundary units (dissolved), by code; built on first use. */
  lan(code: string): BoundaryUnit | undefined;
  /** Sweden (dissolved from all 290), built on first use. */
  rike(): BoundaryUnit;
  /** Area in km² of a unit (computed once). */
  area(unit: BoundaryUnit): number;
}

/** County short names from the embedded county file (`name`, e.g. "Västra Götaland"). */
function countyShortNames(): Map<string, string> {
  const file = fileURLToPath(new URL('../../../kit/data/swedish_regions.geojson', import.meta.url));
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    features: Array<{ properties: { l_id: number; name: string } }>;
  };
  return new Map(json.features.map((f) => [String(f.properties.l_id).padStart(2, '0'), f.properties.name]));
}

/** The simulator's view of the embedded geography; dissolved outlines are computed lazily, once. */
export function createSimGeography(): SimGeography {
  const { municipalities, counties } = geography();
  const kommuner = new Map<string, BoundaryUnit>();
  const lan = new Map<string, BoundaryUnit>();
  let rike: BoundaryUnit | undefined;
  let shortNames: Map<string, string> | undefined;
  const areas = new WeakMap<BoundaryUnit, number>();
  const unit = (
    code: string,
    name: string,
    shortName: string,
    polygons: MultiPolygonCoords,
  ): BoundaryUnit => ({
    code,
    name,
    shortName,
    polygons,
    bbox: bboxOf({ type: 'MultiPolygon', coordinates: polygons }),
  });
  return {
    municipalities: [...municipalities.values()],
    counties: [...counties.values()],
    municipality: (code) => municipalities.get(code),
    county: (code) => counties.get(code),
    kommun(code) {
      const m = municipalities.get(code);
      if (!m) return undefined;
      let u = kommuner.get(code);
      if (!u) {
        u = unit(code, m.name, m.name, asMultiPolygon(m.geometry));
        kommuner.set(code, u);
      }
      return u;
    },
    lan(code) {
      const c = counties.get(code);
      if (!c) return undefined;
      let u = lan.get(code);
      if (!u) {
        shortNames ??= countyShortNames();
        const polygons = dissolve(c.municipalityCodes.map((k) => municipalities.get(k)!.geometry));
        u = unit(code, c.name, shortNames.get(code) ?? c.name, polygons);
        lan.set(code, u);
      }
      return u;
    },
    rike() {
      rike ??= unit(
        'SE',
        'Sverige',
        'Sverige',
        dissolve([...municipalities.values()].map((m) => m.geometry)),
      );
      return rike;
    },
    area(u) {
      let a = areas.get(u);
      if (a === undefined) {
        a = areaKm2(u.polygons);
        areas.set(u, a);
      }
      return a;
    },
  };
}
