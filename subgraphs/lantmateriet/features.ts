/**
 * GeoJSON FeatureCollections (RFC 7946) of municipalities and counties from the embedded geography:
 * the geometry is the outline `boundary` serves (or a point), the properties are the entity itself,
 * so the client's selection under `properties` decides them and every subgraph can add to them.
 */
import { badInput } from '../../kit/errors.ts';
import {
  areaCentroid,
  type BBox,
  bboxOf,
  type Polygonal,
  polygonsOf,
  roundPolygonal,
} from '../../kit/geo.ts';
import { type CountyRecord, geography, type MunicipalityRecord } from '../../kit/sweden.ts';

const AGENCY = 'lantmateriet';
/** Coordinate decimals a collection may ask for: 3 (about 100 m) to 6 (about 10 cm, RFC 7946 §11.2). */
export const PRECISION = { min: 3, max: 6, default: 6 } as const;

export type FeatureGeometry = 'OUTLINE' | 'CENTROID';

interface Point {
  type: 'Point';
  coordinates: [number, number];
}

export interface Feature<P> {
  type: 'Feature';
  id: string;
  geometry: Polygonal | Point;
  properties: P;
}

export interface FeatureCollection<P> {
  type: 'FeatureCollection';
  bbox: [number, number, number, number];
  features: Feature<P>[];
}

/** `precision` within its range, or BAD_USER_INPUT naming the field and the range. */
export function checkPrecision(field: string, precision: number | null | undefined): number {
  const p = precision ?? PRECISION.default;
  if (!Number.isInteger(p) || p < PRECISION.min || p > PRECISION.max) {
    throw badInput(
      `${field}(precision: ${p}) is out of range: use an integer from ${PRECISION.min} to ${PRECISION.max} (decimal places of the coordinates; 6 ≈ 10 cm, 4 ≈ 10 m).`,
      AGENCY,
    );
  }
  return p;
}

const round = (n: number, decimals: number) => Math.round(n * 10 ** decimals) / 10 ** decimals;

const point = (longitude: number, latitude: number, decimals: number): Point => ({
  type: 'Point',
  coordinates: [round(longitude, decimals), round(latitude, decimals)],
});

/** Rounded outlines by embedded outline and decimals: the embedded data never changes while we run. */
const rounded = new WeakMap<Polygonal, Map<number, Polygonal>>();

/** An outline with rounded coordinates (the unrounded one if rounding would leave nothing). */
function outline(geometry: Polygonal, decimals: number): Polygonal {
  const byDecimals = rounded.get(geometry) ?? new Map<number, Polygonal>();
  rounded.set(geometry, byDecimals);
  const result = byDecimals.get(decimals) ?? roundPolygonal(geometry, decimals) ?? geometry;
  byDecimals.set(decimals, result);
  return result;
}

const countyCentres = new Map<string, [number, number]>();

/**
 * A county's point: the area-weighted centre of the outline OUTLINE draws (for all 21 counties it
 * lies inside that outline and inside one of the county's municipalities; a test checks both).
 */
export function countyCentre(county: CountyRecord): [number, number] {
  const known = countyCentres.get(county.code);
  if (known) return known;
  const centre = areaCentroid([countyOutline(county)]);
  if (!centre) throw new Error(`county ${county.code}: the embedded outline has no area`);
  countyCentres.set(county.code, centre);
  return centre;
}

/**
 * A county's outline: its embedded display outline (what `County.boundary` serves), or, where the
 * data has none, its municipalities' outlines together as one MultiPolygon.
 */
function countyOutline(county: CountyRecord): Polygonal {
  if (county.geometry) return county.geometry;
  const municipalities = geography().municipalities;
  return {
    type: 'MultiPolygon',
    coordinates: county.municipalityCodes.flatMap((code) => polygonsOf(municipalities.get(code)!.geometry)),
  };
}

/** The RFC 7946 `bbox` ([west, south, east, north]) of the features' geometries. */
function bboxOfFeatures(features: readonly Feature<unknown>[]): [number, number, number, number] {
  const box: BBox = { minLon: Infinity, minLat: Infinity, maxLon: -Infinity, maxLat: -Infinity };
  for (const { geometry } of features) {
    const b =
      geometry.type === 'Point'
        ? {
            minLon: geometry.coordinates[0],
            maxLon: geometry.coordinates[0],
            minLat: geometry.coordinates[1],
            maxLat: geometry.coordinates[1],
          }
        : bboxOf(geometry);
    box.minLon = Math.min(box.minLon, b.minLon);
    box.minLat = Math.min(box.minLat, b.minLat);
    box.maxLon = Math.max(box.maxLon, b.maxLon);
    box.maxLat = Math.max(box.maxLat, b.maxLat);
  }
  return [box.minLon, box.minLat, box.maxLon, box.maxLat];
}

/** One feature per record, in the order given (the callers give them by code), with the code as id. */
function collection<R extends { code: string }>(
  records: readonly R[],
  geometryOf: (record: R) => Polygonal | Point,
): FeatureCollection<R> {
  const features = records.map(
    (r): Feature<R> => ({ type: 'Feature', id: r.code, geometry: geometryOf(r), properties: r }),
  );
  return { type: 'FeatureCollection', bbox: bboxOfFeatures(features), features };
}

export function municipalityFeatures(
  municipalities: readonly MunicipalityRecord[],
  geometry: FeatureGeometry,
  decimals: number,
): FeatureCollection<MunicipalityRecord> {
  return collection(municipalities, (m) =>
    geometry === 'CENTROID'
      ? point(m.centroid.longitude, m.centroid.latitude, decimals)
      : outline(m.geometry, decimals),
  );
}

export function countyFeatures(
  counties: readonly CountyRecord[],
  geometry: FeatureGeometry,
  decimals: number,
): FeatureCollection<CountyRecord> {
  return collection(counties, (c) =>
    geometry === 'CENTROID' ? point(...countyCentre(c), decimals) : outline(countyOutline(c), decimals),
  );
}
