/** Small geometry helpers on WGS84 [lon, lat] coordinates; our own, dependency-free. */

export type Position = [number, number] | number[];
export type Ring = Position[];
export type PolygonCoords = Ring[];

export interface Polygonal {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: PolygonCoords | PolygonCoords[];
}

export interface BBox {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in kilometres. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The polygons of a Polygon or MultiPolygon, each as rings (first exterior, then holes). */
export function polygonsOf(geometry: Polygonal): PolygonCoords[] {
  return geometry.type === 'Polygon'
    ? [geometry.coordinates as PolygonCoords]
    : (geometry.coordinates as PolygonCoords[]);
}

export function bboxOf(geometry: Polygonal): BBox {
  const box = { minLon: Infinity, minLat: Infinity, maxLon: -Infinity, maxLat: -Infinity };
  for (const polygon of polygonsOf(geometry)) {
    for (const [lon, lat] of polygon[0] ?? []) {
      if (lon === undefined || lat === undefined) continue;
      box.minLon = Math.min(box.minLon, lon);
      box.maxLon = Math.max(box.maxLon, lon);
      box.minLat = Math.min(box.minLat, lat);
      box.maxLat = Math.max(box.maxLat, lat);
    }
  }
  return box;
}

export function inBBox(box: BBox, lon: number, lat: number): boolean {
  return lon >= box.minLon && lon <= box.maxLon && lat >= box.minLat && lat <= box.maxLat;
}

/** Ray casting on one ring (even-odd). */
function inRing(ring: Ring, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** True when the point lies inside the polygon(s), holes excluded. */
export function pointInPolygon(geometry: Polygonal, lon: number, lat: number): boolean {
  for (const polygon of polygonsOf(geometry)) {
    const [outer, ...holes] = polygon;
    if (outer && inRing(outer, lon, lat) && !holes.some((hole) => inRing(hole, lon, lat))) return true;
  }
  return false;
}

/** Shortest distance in km from a point to a polygon's outline (0 when inside). */
export function distanceToPolygonKm(geometry: Polygonal, lon: number, lat: number): number {
  if (pointInPolygon(geometry, lon, lat)) return 0;
  // Local equirectangular projection around the point: accurate to well under 1 % at these distances.
  const kx = 111.32 * Math.cos(rad(lat));
  const ky = 110.574;
  let best = Infinity;
  for (const polygon of polygonsOf(geometry)) {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i] as [number, number];
        const [x2, y2] = ring[i + 1] as [number, number];
        best = Math.min(
          best,
          segmentDistance((x1 - lon) * kx, (y1 - lat) * ky, (x2 - lon) * kx, (y2 - lat) * ky),
        );
      }
    }
  }
  return best;
}

/** Distance from the origin to segment (ax,ay)-(bx,by). */
function segmentDistance(ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  return Math.hypot(ax + t * dx, ay + t * dy);
}

/** Lower bound of the distance in km from a point to a bounding box. */
export function distanceToBBoxKm(box: BBox, lon: number, lat: number): number {
  const clampedLon = Math.min(Math.max(lon, box.minLon), box.maxLon);
  const clampedLat = Math.min(Math.max(lat, box.minLat), box.maxLat);
  return haversineKm(lat, lon, clampedLat, clampedLon);
}

/** True when two polygonal geometries share any area (edge crossings or containment). */
export function polygonsIntersect(a: Polygonal, b: Polygonal): boolean {
  const boxA = bboxOf(a);
  const boxB = bboxOf(b);
  if (
    boxA.maxLon < boxB.minLon ||
    boxB.maxLon < boxA.minLon ||
    boxA.maxLat < boxB.minLat ||
    boxB.maxLat < boxA.minLat
  ) {
    return false;
  }
  for (const pa of polygonsOf(a)) {
    for (const pb of polygonsOf(b)) {
      const ra = pa[0];
      const rb = pb[0];
      if (!ra || !rb) continue;
      const [ax, ay] = ra[0] as [number, number];
      const [bx, by] = rb[0] as [number, number];
      if (pointInPolygon(b, ax, ay) || pointInPolygon(a, bx, by)) return true;
      if (ringsCross(ra, rb)) return true;
    }
  }
  return false;
}

function ringsCross(a: Ring, b: Ring): boolean {
  for (let i = 0; i + 1 < a.length; i++) {
    for (let j = 0; j + 1 < b.length; j++) {
      if (
        segmentsCross(
          a[i] as [number, number],
          a[i + 1] as [number, number],
          b[j] as [number, number],
          b[j + 1] as [number, number],
        )
      ) {
        return true;
      }
    }
  }
  return false;
}

function segmentsCross(
  p1: [number, number],
  p2: [number, number],
  p3: [number, number],
  p4: [number, number],
): boolean {
  const d = (a: [number, number], b: [number, number], c: [number, number]) =>
    (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const d1 = d(p3, p4, p1);
  const d2 = d(p3, p4, p2);
  const d3 = d(p1, p2, p3);
  const d4 = d(p1, p2, p4);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** Sweden's extent with a small margin: anything outside is not a Swedish point. */
export const SWEDEN_BBOX: BBox = { minLon: 10.5, minLat: 55.0, maxLon: 24.5, maxLat: 69.5 };

/**
 * The polygons with every position rounded to `decimals` places (RFC 7946 §11.2: 6 places are about
 * 10 cm). Positions that fall together are kept once; a hole that shrinks below a ring (four
 * positions) is dropped, and so is a polygon whose outer ring does. Null when nothing is left.
 */
export function roundPolygonal(geometry: Polygonal, decimals: number): Polygonal | null {
  const factor = 10 ** decimals;
  const round = (n: number) => Math.round(n * factor) / factor;
  const polygons: PolygonCoords[] = [];
  for (const polygon of polygonsOf(geometry)) {
    const rings: Ring[] = [];
    for (const ring of polygon) {
      const kept: Ring = [];
      for (const [lon, lat] of ring) {
        const p: Position = [round(lon as number), round(lat as number)];
        const last = kept.at(-1);
        if (!last || last[0] !== p[0] || last[1] !== p[1]) kept.push(p);
      }
      if (kept.length >= 4) rings.push(kept);
      else if (rings.length === 0) break; // the outer ring collapsed, and with it the polygon
    }
    if (rings.length > 0) polygons.push(rings);
  }
  if (polygons.length === 0) return null;
  return geometry.type === 'Polygon' && polygons.length === 1
    ? { type: 'Polygon', coordinates: polygons[0]! }
    : { type: 'MultiPolygon', coordinates: polygons };
}

/**
 * The area-weighted centre of polygons, [lon, lat] (holes subtracted). Computed in plain degrees:
 * over a region the size of a county the convergence of meridians moves it by far less than the
 * outlines' own simplification. Null for polygons without area.
 */
export function areaCentroid(geometries: readonly Polygonal[]): [number, number] | null {
  let area = 0;
  let x = 0;
  let y = 0;
  for (const geometry of geometries) {
    for (const polygon of polygonsOf(geometry)) {
      for (const [i, ring] of polygon.entries()) {
        // Outer rings count positive, holes negative, whichever way each ring winds.
        let a = 0;
        let cx = 0;
        let cy = 0;
        for (let j = 0; j + 1 < ring.length; j++) {
          const [x1, y1] = ring[j] as [number, number];
          const [x2, y2] = ring[j + 1] as [number, number];
          const cross = x1 * y2 - x2 * y1;
          a += cross;
          cx += (x1 + x2) * cross;
          cy += (y1 + y2) * cross;
        }
        const sign = (i === 0 ? 1 : -1) * Math.sign(a);
        area += (sign * a) / 2;
        x += (sign * cx) / 6;
        y += (sign * cy) / 6;
      }
    }
  }
  return area > 0 ? [x / area, y / area] : null;
}
