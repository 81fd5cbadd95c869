/**
 * Geometry for the SGU simulator: SWEREF 99 TM (EPSG:3006, SGU's storage CRS) both ways, the CRS
 * names the service accepts, areas and lengths, and the few spatial tests its filters need.
 */
import {
  type BBox,
  bboxOf,
  inBBox,
  type Polygonal,
  type PolygonCoords,
  pointInPolygon,
  polygonsIntersect,
} from '../../../kit/geo.ts';
import { toSweref as kitToSweref, toWgs84 } from '../../../kit/sweref.ts';

export type { BBox, Polygonal };

/** A GeoJSON geometry as the simulator builds it (positions `[lon, lat]` in CRS84). */
export type Geometry =
  | { type: 'Point'; coordinates: [number, number] }
  | { type: 'Polygon'; coordinates: PolygonCoords }
  | { type: 'MultiPolygon'; coordinates: PolygonCoords[] };

/** Longitude and latitude → SWEREF 99 TM easting and northing (the kit's proj4 converter). */
export function toSweref(lon: number, lat: number): { e: number; n: number } {
  return kitToSweref(lat, lon);
}

/** SWEREF 99 TM easting and northing back to longitude and latitude. */
export function fromSweref(east: number, north: number): { lon: number; lat: number } {
  const { latitude, longitude } = toWgs84({ e: east, n: north });
  return { lon: longitude, lat: latitude };
}

/** The coordinate reference systems the simulated service accepts. */
export type Crs = 'CRS84' | 'EPSG:3006';

/**
 * The CRS a `crs` / `bbox-crs` / `filter-crs` value names, or null when the service does not know it.
 * EPSG:4326 is read in longitude-latitude order like CRS84, as GeoServer's OGC API does
 * (it decodes with longitude first).
 */
export function parseCrs(value: string): Crs | null {
  const v = value.trim();
  if (
    /^(https?:\/\/www\.opengis\.net\/def\/crs\/OGC\/1\.3\/CRS84|urn:ogc:def:crs:OGC:1\.3:CRS84|CRS:?84)$/i.test(
      v,
    )
  )
    return 'CRS84';
  const epsg =
    /^(?:EPSG:|urn:ogc:def:crs:EPSG:[\d.]*:|https?:\/\/www\.opengis\.net\/def\/crs\/EPSG\/0\/)(\d+)$/i.exec(
      v,
    );
  if (epsg?.[1] === '4326') return 'CRS84';
  if (epsg?.[1] === '3006') return 'EPSG:3006';
  return null;
}

/** The `crs` member GeoServer writes for a response in this CRS. */
export const crsUrn = (crs: Crs): string =>
  crs === 'CRS84' ? 'urn:ogc:def:crs:EPSG::4326' : 'urn:ogc:def:crs:EPSG::3006';

/** The CRS URI for headers and collection documents. */
export const crsUri = (crs: Crs): string =>
  crs === 'CRS84'
    ? 'http://www.opengis.net/def/crs/OGC/1.3/CRS84'
    : 'http://www.opengis.net/def/crs/EPSG/0/3006';

/** A geometry's positions in the output CRS (8 decimals in degrees, 3 in metres, like SGU's output). */
export function project(geometry: Geometry, crs: Crs): Geometry {
  const pos = (p: number[]): [number, number] => {
    const [lon, lat] = p as [number, number];
    if (crs === 'CRS84') return [round8(lon), round8(lat)];
    const { e, n: north } = toSweref(lon, lat);
    return [Math.round(e * 1000) / 1000, Math.round(north * 1000) / 1000];
  };
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: pos(geometry.coordinates) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: geometry.coordinates.map((ring) => ring.map(pos)) };
    case 'MultiPolygon':
      return {
        type: 'MultiPolygon',
        coordinates: geometry.coordinates.map((poly) => poly.map((ring) => ring.map(pos))),
      };
  }
}

const round8 = (v: number) => Math.round(v * 1e8) / 1e8;

/**
 * An area to test features against (a bbox, a filter's polygon), in CRS84. `box` is set when the
 * area is exactly an axis-aligned box in CRS84 (then point tests are exact on the edges too).
 */
export interface Region {
  envelope: BBox;
  polygon: Polygonal;
  box: boolean;
}

/** A CRS84 box as a region. */
export function boxRegion(box: BBox): Region {
  const { minLon, minLat, maxLon, maxLat } = box;
  return {
    envelope: box,
    polygon: {
      type: 'Polygon',
      coordinates: [
        [
          [minLon, minLat],
          [maxLon, minLat],
          [maxLon, maxLat],
          [minLon, maxLat],
          [minLon, minLat],
        ],
      ],
    },
    box: true,
  };
}

/** A SWEREF 99 TM box as a region: its outline densified and brought to CRS84. */
export function swerefBoxRegion(minE: number, minN: number, maxE: number, maxN: number): Region {
  const ring: number[][] = [];
  const steps = 8;
  const edge = (e0: number, n0: number, e1: number, n1: number) => {
    for (let i = 0; i < steps; i++) {
      const t = i / steps;
      const p = fromSweref(e0 + (e1 - e0) * t, n0 + (n1 - n0) * t);
      ring.push([p.lon, p.lat]);
    }
  };
  edge(minE, minN, maxE, minN);
  edge(maxE, minN, maxE, maxN);
  edge(maxE, maxN, minE, maxN);
  edge(minE, maxN, minE, minN);
  ring.push(ring[0] as number[]);
  const polygon: Polygonal = { type: 'Polygon', coordinates: [ring] };
  return { envelope: bboxOf(polygon), polygon, box: false };
}

/** A polygonal literal (from a filter) as a region. */
export function polygonRegion(polygon: Polygonal): Region {
  return { envelope: bboxOf(polygon), polygon, box: false };
}

const envelopesOverlap = (a: BBox, b: BBox) =>
  a.minLon <= b.maxLon && b.minLon <= a.maxLon && a.minLat <= b.maxLat && b.minLat <= a.maxLat;

/** Whether a feature's geometry shares any point with the region (what `bbox` and INTERSECTS mean). */
export function intersectsRegion(geometry: Geometry | null, region: Region): boolean {
  if (geometry === null) return false;
  if (geometry.type === 'Point') {
    const [lon, lat] = geometry.coordinates;
    if (!inBBox(region.envelope, lon, lat)) return false;
    return region.box || pointInPolygon(region.polygon, lon, lat);
  }
  const poly = geometry as Polygonal;
  if (!envelopesOverlap(bboxOf(poly), region.envelope)) return false;
  return polygonsIntersect(poly, region.polygon) || touchesBox(poly, region);
}

/** Edge contact that `polygonsIntersect` (proper crossings only) misses: a vertex on the box. */
function touchesBox(poly: Polygonal, region: Region): boolean {
  if (!region.box) return false;
  const coords =
    poly.type === 'Polygon' ? [poly.coordinates as PolygonCoords] : (poly.coordinates as PolygonCoords[]);
  return coords.some((p) =>
    (p[0] ?? []).some(([lon, lat]) => inBBox(region.envelope, lon as number, lat as number)),
  );
}

/** Whether the geometry lies inside the region (WITHIN). */
export function withinRegion(geometry: Geometry | null, region: Region): boolean {
  if (geometry === null) return false;
  if (geometry.type === 'Point') return intersectsRegion(geometry, region);
  const rings = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  return rings.every((p) =>
    (p[0] ?? []).every(([lon, lat]) => pointInPolygon(region.polygon, lon as number, lat as number)),
  );
}

/** Whether a polygonal feature contains a point (CONTAINS with a POINT literal). */
export function containsPoint(geometry: Geometry | null, lon: number, lat: number): boolean {
  if (geometry === null || geometry.type === 'Point') return false;
  return pointInPolygon(geometry as Polygonal, lon, lat);
}

const KM_PER_DEG_LAT = 110.574;
const kmPerDegLon = (lat: number) => 111.32 * Math.cos((lat * Math.PI) / 180);

/** Area (m²) and outline length (m) of a ring in CRS84, in a local equirectangular projection. */
export function ringMeasures(ring: readonly number[][]): { area: number; length: number } {
  const lat0 = (ring[0]?.[1] ?? 0) as number;
  const kx = kmPerDegLon(lat0) * 1000;
  const ky = KM_PER_DEG_LAT * 1000;
  let twice = 0;
  let length = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i] as [number, number];
    const [x2, y2] = ring[i + 1] as [number, number];
    twice += x1 * kx * (y2 * ky) - x2 * kx * (y1 * ky);
    length += Math.hypot((x2 - x1) * kx, (y2 - y1) * ky);
  }
  return { area: Math.abs(twice) / 2, length };
}

/** Area in km² of a municipality outline (exterior rings minus holes). */
export function areaKm2(geometry: Polygonal): number {
  const polys =
    geometry.type === 'Polygon'
      ? [geometry.coordinates as PolygonCoords]
      : (geometry.coordinates as PolygonCoords[]);
  let total = 0;
  for (const poly of polys) {
    poly.forEach((ring, i) => {
      const a = ringMeasures(ring as number[][]).area / 1e6;
      total += i === 0 ? a : -a;
    });
  }
  return total;
}
