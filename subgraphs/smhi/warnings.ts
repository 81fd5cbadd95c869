/**
 * SMHI impact-based warnings (IBW, `…/ibww/api/version/1/warning.json`): parser and the geometric
 * matching of warning areas to points, municipalities and counties. Warning texts must not be
 * altered (SMHI's terms): they are passed through exactly as received.
 */
import { bboxOf, type Polygonal, pointInPolygon, polygonsIntersect, polygonsOf } from '../../kit/geo.ts';
import type { MunicipalityRecord } from '../../kit/sweden.ts';
import { expectArray, isObject, type Json, optionalString as str } from '../../kit/validate.ts';
import { toIsoUtc } from './time.ts';

/** Warning levels in ascending order of severity; `UNKNOWN` = a code we do not know yet. */
export const WARNING_LEVELS = ['UNKNOWN', 'MESSAGE', 'YELLOW', 'ORANGE', 'RED'] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

export const levelRank = (level: WarningLevel): number => WARNING_LEVELS.indexOf(level);

export function toLevel(code: string | null): WarningLevel {
  const upper = (code ?? '').toUpperCase();
  return (WARNING_LEVELS as readonly string[]).includes(upper) && upper !== 'UNKNOWN'
    ? (upper as WarningLevel)
    : 'UNKNOWN';
}

/** A text in the languages SMHI gives (`en` may be missing). */
export interface LocalizedText {
  sv: string | null;
  en: string | null;
}

export interface LocalizedCode extends LocalizedText {
  code: string | null;
}

export interface WarningDescription {
  title: LocalizedCode;
  text: LocalizedText;
}

export interface WarningAreaModel {
  id: string;
  level: WarningLevel;
  /** SMHI's `warningLevel` as sent (code and names). */
  warningLevel: LocalizedCode;
  areaName: LocalizedText;
  eventDescription: LocalizedCode | null;
  approximateStart: string | null;
  approximateEnd: string | null;
  published: string | null;
  created: string | null;
  normalProbability: boolean | null;
  pushNotice: boolean | null;
  affectedAreas: Array<{ id: string | null; sv: string | null; en: string | null }>;
  descriptions: WarningDescription[];
  /** The area's geometry (Polygon or MultiPolygon, [lon, lat]); null when missing or not polygonal. */
  geometry: Polygonal | null;
}

export interface WarningModel {
  id: string;
  normalProbability: boolean | null;
  event: LocalizedCode;
  /** `event.mhoClassification`, e.g. HYD (hydrology). */
  classification: LocalizedCode | null;
  descriptions: WarningDescription[];
  areas: WarningAreaModel[];
}

const bool = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);

function text(value: unknown): LocalizedText {
  const o = isObject(value) ? value : {};
  return { sv: str(o['sv']), en: str(o['en']) };
}

function coded(value: unknown): LocalizedCode {
  const o = isObject(value) ? value : {};
  return { sv: str(o['sv']), en: str(o['en']), code: str(o['code']) };
}

function descriptions(value: unknown): WarningDescription[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((d) => ({ title: coded(d['title']), text: text(d['text']) }));
}

/** Warning timestamps keep SMHI's value unless it parses: then ISO-8601 UTC (milliseconds dropped when zero). */
function isoTime(value: unknown): string | null {
  const s = str(value);
  return s === null ? null : toIsoUtc(s);
}

function geometryOf(area: unknown): Polygonal | null {
  if (!isObject(area)) return null;
  // A GeoJSON Feature (as recorded) or a bare geometry.
  const geometry = isObject(area['geometry']) ? area['geometry'] : area;
  const type = geometry['type'];
  if ((type !== 'Polygon' && type !== 'MultiPolygon') || !Array.isArray(geometry['coordinates'])) return null;
  return { type, coordinates: geometry['coordinates'] as Polygonal['coordinates'] };
}

function parseArea(area: Json): WarningAreaModel {
  const warningLevel = coded(area['warningLevel']);
  return {
    id: str(area['id']) ?? '',
    level: toLevel(warningLevel.code),
    warningLevel,
    areaName: text(area['areaName']),
    eventDescription: isObject(area['eventDescription']) ? coded(area['eventDescription']) : null,
    approximateStart: isoTime(area['approximateStart']),
    approximateEnd: isoTime(area['approximateEnd']),
    published: isoTime(area['published']),
    created: isoTime(area['created']),
    normalProbability: bool(area['normalProbability']),
    pushNotice: bool(area['pushNotice']),
    affectedAreas: Array.isArray(area['affectedAreas'])
      ? area['affectedAreas']
          .filter(isObject)
          .map((a) => ({ id: str(a['id']), sv: str(a['sv']), en: str(a['en']) }))
      : [],
    descriptions: descriptions(area['descriptions']),
    geometry: geometryOf(area['area']),
  };
}

/** `warning.json`: a JSON array of warnings (an empty array when there are none). */
export function parseWarnings(json: unknown): WarningModel[] {
  return expectArray(json, 'warnings')
    .filter(isObject)
    .map((w) => {
      const event = isObject(w['event']) ? w['event'] : {};
      return {
        id: str(w['id']) ?? '',
        normalProbability: bool(w['normalProbability']),
        event: coded(event),
        classification: isObject(event['mhoClassification']) ? coded(event['mhoClassification']) : null,
        descriptions: descriptions(w['descriptions']),
        areas: expectArray(w['warningAreas'] ?? [], 'warnings[].warningAreas')
          .filter(isObject)
          .map(parseArea),
      };
    });
}

/** The highest level among the areas (UNKNOWN when none is known). */
export function highestLevel(areas: readonly WarningAreaModel[]): WarningLevel {
  let best: WarningLevel = 'UNKNOWN';
  for (const a of areas) if (levelRank(a.level) > levelRank(best)) best = a.level;
  return best;
}

/** The warning restricted to the areas that match, or null when none does. */
export function withAreas(
  warning: WarningModel,
  match: (area: WarningAreaModel) => boolean,
): WarningModel | null {
  const areas = warning.areas.filter(match);
  return areas.length > 0 ? { ...warning, areas } : null;
}

/** Keeps warnings that have at least one area at `minLevel` or above (all when `minLevel` is null). */
export function atLeast(warnings: readonly WarningModel[], minLevel: WarningLevel | null): WarningModel[] {
  if (minLevel === null) return [...warnings];
  const min = levelRank(minLevel);
  return warnings
    .map((w) => withAreas(w, (a) => levelRank(a.level) >= min))
    .filter((w): w is WarningModel => w !== null);
}

export function areaCoversPoint(area: WarningAreaModel, latitude: number, longitude: number): boolean {
  return area.geometry !== null && pointInPolygon(area.geometry, longitude, latitude);
}

/**
 * Outlines from different sources never share borders exactly: a county-wide warning polygon is
 * coarse (the recorded Skåne one has 202 vertices) and reaches several km into neighbouring
 * municipalities. An overlap counts when it is at least this share of the smaller of the two areas
 * (recorded Skåne warning: its 33 municipalities overlap 74–100 %, the neighbours at most 11 %).
 */
export const MIN_OVERLAP_SHARE = 0.2;

const overlapMemo = new Map<string, boolean>();

/**
 * True when the warning area covers part of the municipality: the outlines intersect (kit/geo
 * `polygonsIntersect`) and either the municipality's representative point lies inside the area or
 * the overlap is at least MIN_OVERLAP_SHARE of the smaller area (a border sliver is not enough).
 */
export function areaCoversMunicipality(area: WarningAreaModel, municipality: MunicipalityRecord): boolean {
  const geometry = area.geometry;
  if (geometry === null) return false;
  const key = `${area.id}|${area.published ?? ''}|${municipality.code}`;
  const memo = overlapMemo.get(key);
  if (memo !== undefined) return memo;
  let result = false;
  if (polygonsIntersect(geometry, municipality.geometry)) {
    const { latitude, longitude } = municipality.centroid;
    result =
      pointInPolygon(geometry, longitude, latitude) ||
      overlapKm2(geometry, municipality.geometry) >=
        MIN_OVERLAP_SHARE * Math.min(areaKm2(geometry), areaKm2(municipality.geometry));
  }
  if (overlapMemo.size > 20_000) overlapMemo.clear();
  overlapMemo.set(key, result);
  return result;
}

const KM_PER_DEG_LAT = 110.574;
const kmPerDegLon = (lat: number) => 111.32 * Math.cos((lat * Math.PI) / 180);

/** Area in km² (shoelace in a local equirectangular projection; holes subtracted). */
export function areaKm2(geometry: Polygonal): number {
  let total = 0;
  for (const polygon of polygonsOf(geometry)) {
    polygon.forEach((ring, i) => {
      const lat0 = (ring[0]?.[1] as number | undefined) ?? 0;
      const kx = kmPerDegLon(lat0);
      let sum = 0;
      for (let j = 0; j + 1 < ring.length; j++) {
        const [x1, y1] = ring[j] as [number, number];
        const [x2, y2] = ring[j + 1] as [number, number];
        sum += x1 * kx * y2 * KM_PER_DEG_LAT - x2 * kx * y1 * KM_PER_DEG_LAT;
      }
      total += (i === 0 ? 1 : -1) * Math.abs(sum / 2);
    });
  }
  return total;
}

/** Approximate area in km² shared by two outlines: a grid over the overlap of their bounding boxes. */
export function overlapKm2(a: Polygonal, b: Polygonal, cells = 48): number {
  const boxA = bboxOf(a);
  const boxB = bboxOf(b);
  const minLon = Math.max(boxA.minLon, boxB.minLon);
  const maxLon = Math.min(boxA.maxLon, boxB.maxLon);
  const minLat = Math.max(boxA.minLat, boxB.minLat);
  const maxLat = Math.min(boxA.maxLat, boxB.maxLat);
  if (minLon >= maxLon || minLat >= maxLat) return 0;
  const dLon = (maxLon - minLon) / cells;
  const dLat = (maxLat - minLat) / cells;
  let km2 = 0;
  for (let j = 0; j < cells; j++) {
    const lat = minLat + (j + 0.5) * dLat;
    const cell = dLon * kmPerDegLon(lat) * dLat * KM_PER_DEG_LAT;
    for (let i = 0; i < cells; i++) {
      const lon = minLon + (i + 0.5) * dLon;
      if (pointInPolygon(a, lon, lat) && pointInPolygon(b, lon, lat)) km2 += cell;
    }
  }
  return km2;
}
