import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { badInput } from './errors.ts';
import {
  type BBox,
  bboxOf,
  distanceToBBoxKm,
  distanceToPolygonKm,
  inBBox,
  type Polygonal,
  pointInPolygon,
  SWEDEN_BBOX,
} from './geo.ts';

/**
 * Sweden's 290 municipalities and 21 counties, from the embedded open data in `kit/data/`.
 * Shared by every subgraph: codes are validated here before any upstream call.
 */

export interface MunicipalityRecord {
  /** 4-digit SCB code with its leading zero, e.g. "0180". */
  code: string;
  name: string;
  countyCode: string;
  /** Representative point inside the outline. */
  centroid: { latitude: number; longitude: number };
  geometry: Polygonal;
  bbox: BBox;
}

export interface CountyRecord {
  /** 2-digit län code, e.g. "01". */
  code: string;
  /** Official name, e.g. "Stockholms län". */
  name: string;
  /** Display outline (older than the present division: never used to decide membership). */
  geometry: Polygonal | null;
  municipalityCodes: string[];
}

interface Geography {
  municipalities: Map<string, MunicipalityRecord>;
  counties: Map<string, CountyRecord>;
}

const dataFile = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url));

let loaded: Geography | undefined;

/** Loads (once) and returns the embedded geography. */
export function geography(): Geography {
  if (loaded) return loaded;
  const names = JSON.parse(readFileSync(dataFile('official-names.json'), 'utf8')) as {
    counties: Record<string, string>;
    municipalities: Record<string, string>;
  };
  const muniGeo = JSON.parse(readFileSync(dataFile('swedish_municipalities.geojson'), 'utf8')) as {
    features: Array<{
      properties: { id: string; kom_namn: string; geo_point_2d: [number, number] };
      geometry: Polygonal;
    }>;
  };
  const regionGeo = JSON.parse(readFileSync(dataFile('swedish_regions.geojson'), 'utf8')) as {
    features: Array<{ properties: { l_id: number }; geometry: Polygonal }>;
  };
  const counties = new Map<string, CountyRecord>();
  // Sorted: a JSON object lists integer-like keys ("10") before zero-padded ones ("01").
  for (const [code, name] of Object.entries(names.counties).sort(([a], [b]) => a.localeCompare(b))) {
    const feature = regionGeo.features.find((f) => String(f.properties.l_id).padStart(2, '0') === code);
    counties.set(code, { code, name, geometry: feature?.geometry ?? null, municipalityCodes: [] });
  }
  const municipalities = new Map<string, MunicipalityRecord>();
  for (const feature of muniGeo.features) {
    const code = feature.properties.id;
    const countyCode = code.slice(0, 2);
    const [lat, lon] = feature.properties.geo_point_2d; // [lat, lon] in this file: the reverse of GeoJSON
    municipalities.set(code, {
      code,
      name: names.municipalities[code] ?? feature.properties.kom_namn,
      countyCode,
      centroid: { latitude: round6(lat), longitude: round6(lon) },
      geometry: feature.geometry,
      bbox: bboxOf(feature.geometry),
    });
    counties.get(countyCode)?.municipalityCodes.push(code);
  }
  for (const county of counties.values()) county.municipalityCodes.sort();
  loaded = { municipalities: new Map([...municipalities].sort(([a], [b]) => a.localeCompare(b))), counties };
  return loaded;
}

export const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

const MUNICIPALITY_CODE = /^\d{4}$/;
const COUNTY_CODE = /^\d{2}$/;

/** The municipality with this code, or BAD_USER_INPUT saying what is allowed. */
export function requireMunicipality(code: string, agency?: string): MunicipalityRecord {
  if (!MUNICIPALITY_CODE.test(code)) {
    throw badInput(
      `Municipality code "${code}" is malformed: use the 4-digit SCB code with its leading zero, e.g. "0180" (Stockholm).`,
      agency,
    );
  }
  const record = geography().municipalities.get(code);
  if (!record) {
    throw badInput(
      `Unknown municipality code "${code}": Sweden has 290 municipalities, coded 0114–2584 (e.g. "0180" Stockholm).`,
      agency,
    );
  }
  return record;
}

/** The county with this code, or BAD_USER_INPUT saying what is allowed. */
export function requireCounty(code: string, agency?: string): CountyRecord {
  const record = COUNTY_CODE.test(code) ? geography().counties.get(code) : undefined;
  if (record) return record;
  // The message lists the 21 codes: built only when it is needed, not for every county looked up.
  const allowed = [...geography().counties.keys()].join(', ');
  if (!COUNTY_CODE.test(code)) {
    throw badInput(
      `County code "${code}" is malformed: use the 2-digit län code, one of ${allowed}.`,
      agency,
    );
  }
  throw badInput(`Unknown county code "${code}": the 21 counties are ${allowed}.`, agency);
}

/** Points farther than this from every municipality are not in Sweden. */
export const OUTSIDE_SWEDEN_KM = 25;
/** Points outside every (simplified) outline but this close to one are matched to it. */
export const NEAREST_FALLBACK_KM = 10;

/** BAD_USER_INPUT unless the coordinates are finite and within Sweden. */
export function requireSwedishPoint(latitude: number, longitude: number, agency?: string): void {
  const allowed = `latitude ${SWEDEN_BBOX.minLat}–${SWEDEN_BBOX.maxLat} and longitude ${SWEDEN_BBOX.minLon}–${SWEDEN_BBOX.maxLon} (WGS84 decimal degrees, within Sweden)`;
  if (
    !Number.isFinite(latitude) ||
    !Number.isFinite(longitude) ||
    !inBBox(SWEDEN_BBOX, longitude, latitude)
  ) {
    throw badInput(`Coordinates (${latitude}, ${longitude}) are outside Sweden: use ${allowed}.`, agency);
  }
  // Inside an outline or within NEAREST_FALLBACK_KM of one (less than OUTSIDE_SWEDEN_KM): the
  // point's match is cached. Measuring the distance to all 290 outlines for every point asked (every
  // place, forecast and warning check) was a scan of all municipalities per key.
  if (locateMunicipality(latitude, longitude)) return;
  const nearest = nearestMunicipalityCached(latitude, longitude);
  if (!nearest || nearest.distanceKm > OUTSIDE_SWEDEN_KM) {
    throw badInput(
      `Coordinates (${latitude}, ${longitude}) are more than ${OUTSIDE_SWEDEN_KM} km from any Swedish municipality: use ${allowed}.`,
      agency,
    );
  }
}

export interface MunicipalityMatch {
  municipality: MunicipalityRecord;
  /** `INSIDE` the outline, or `NEAREST` outline within the fallback distance. */
  method: 'INSIDE' | 'NEAREST';
  distanceKm: number;
}

const matchCache = new Map<string, MunicipalityMatch | null>();

/** Point-in-polygon over the 290 outlines, with a nearest-outline fallback for coast and islands. */
export function locateMunicipality(latitude: number, longitude: number): MunicipalityMatch | null {
  const key = `${round6(latitude)},${round6(longitude)}`;
  const hit = matchCache.get(key);
  if (hit !== undefined) return hit;
  let result: MunicipalityMatch | null = null;
  for (const m of geography().municipalities.values()) {
    if (inBBox(m.bbox, longitude, latitude) && pointInPolygon(m.geometry, longitude, latitude)) {
      result = { municipality: m, method: 'INSIDE', distanceKm: 0 };
      break;
    }
  }
  if (!result) {
    const nearest = nearestMunicipalityCached(latitude, longitude);
    if (nearest && nearest.distanceKm <= NEAREST_FALLBACK_KM) result = { ...nearest, method: 'NEAREST' };
  }
  if (matchCache.size > 50_000) matchCache.clear();
  matchCache.set(key, result);
  return result;
}

const nearestCache = new Map<string, { municipality: MunicipalityRecord; distanceKm: number } | null>();

/** `nearestMunicipality`, remembered per point (rounded like `locateMunicipality`'s). */
function nearestMunicipalityCached(
  latitude: number,
  longitude: number,
): { municipality: MunicipalityRecord; distanceKm: number } | null {
  const key = `${round6(latitude)},${round6(longitude)}`;
  const hit = nearestCache.get(key);
  if (hit !== undefined) return hit;
  const nearest = nearestMunicipality(latitude, longitude);
  if (nearestCache.size > 50_000) nearestCache.clear();
  nearestCache.set(key, nearest);
  return nearest;
}

function nearestMunicipality(
  latitude: number,
  longitude: number,
): { municipality: MunicipalityRecord; distanceKm: number } | null {
  let best: { municipality: MunicipalityRecord; distanceKm: number } | null = null;
  const candidates = [...geography().municipalities.values()]
    .map((m) => ({ m, lower: distanceToBBoxKm(m.bbox, longitude, latitude) }))
    .sort((a, b) => a.lower - b.lower);
  for (const { m, lower } of candidates) {
    if (best && lower >= best.distanceKm) break;
    const d = distanceToPolygonKm(m.geometry, longitude, latitude);
    if (!best || d < best.distanceKm) best = { municipality: m, distanceKm: d };
  }
  return best;
}
