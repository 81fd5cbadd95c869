/**
 * SMHI impact-based warnings (IBW, `…/ibww/api/version/1/warning.json`): parser and the geometric
 * matching of warning areas to points, municipalities and counties. Warning texts must not be
 * altered (SMHI's terms): they are passed through exactly as received.
 */
import { bboxOf, inBBox, type Polygonal, pointInPolygon, polygonsIntersect, polygonsOf } from '../kit/geo.ts';
import type { MunicipalityRecord } from '../kit/sweden.ts';
import { expectArray, isObject, type Json, looseNumber } from '../kit/validate.ts';

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

const str = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
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
  if (s === null) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? s : new Date(ms).toISOString().replace('.000Z', 'Z');
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
 * Outlines from different sources never share borders exactly: a county-wide warning polygon and a
 * neighbouring municipality's simplified outline cross in slivers along the border. An overlap
 * counts only where one outline reaches at least this far into the other.
 */
export const BORDER_TOLERANCE_KM = 2;

const overlapMemo = new Map<string, boolean>();

/**
 * True when the warning area covers part of the municipality: the outlines intersect (kit/geo
 * `polygonsIntersect`) and the overlap is more than a border sliver — the municipality's
 * representative point lies inside the area, or a vertex of one outline lies inside the other
 * farther than BORDER_TOLERANCE_KM from its edge.
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
      reachesInto(municipality.geometry, geometry) ||
      reachesInto(geometry, municipality.geometry);
  }
  if (overlapMemo.size > 20_000) overlapMemo.clear();
  overlapMemo.set(key, result);
  return result;
}

/** Whether a vertex of `a` lies inside `b` deeper than the tolerance. */
function reachesInto(a: Polygonal, b: Polygonal): boolean {
  const box = bboxOf(b);
  for (const polygon of polygonsOf(a)) {
    for (const position of polygon[0] ?? []) {
      const lon = looseNumber(position[0]);
      const lat = looseNumber(position[1]);
      if (lon === null || lat === null || !inBBox(box, lon, lat)) continue;
      if (pointInPolygon(b, lon, lat) && distanceToOutlineKm(b, lon, lat) > BORDER_TOLERANCE_KM) return true;
    }
  }
  return false;
}

/** Distance in km from a point to the nearest edge of the outline (inside or not). */
export function distanceToOutlineKm(geometry: Polygonal, lon: number, lat: number): number {
  // Local equirectangular projection around the point, as kit/geo does: < 1 % error at these scales.
  const kx = 111.32 * Math.cos((lat * Math.PI) / 180);
  const ky = 110.574;
  let best = Number.POSITIVE_INFINITY;
  for (const polygon of polygonsOf(geometry)) {
    for (const ring of polygon) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const [x1, y1] = ring[i] as [number, number];
        const [x2, y2] = ring[i + 1] as [number, number];
        const ax = (x1 - lon) * kx;
        const ay = (y1 - lat) * ky;
        const dx = (x2 - x1) * kx;
        const dy = (y2 - y1) * ky;
        const len2 = dx * dx + dy * dy;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
        best = Math.min(best, Math.hypot(ax + t * dx, ay + t * dy));
      }
    }
  }
  return best;
}
