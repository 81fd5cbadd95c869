/**
 * The well archive (`brunnar`): a count per municipality and the i-th well of a municipality computed
 * on demand from a seed, so `limit`/`startIndex` paging and `numberMatched` work over ~800 000 wells
 * without materialising any of them.
 *
 * How many: municipality area (from the embedded outline) × a density that falls from ≈ 3 wells/km²
 * in the south to ≈ 0.1 in the far north, plus a few thousand (mostly energy wells) in the former
 * cities — SCB codes xx80–xx99, a real property of the codes (Stockholm 0180, Göteborg 1480, Malmö
 * 1280, Uppsala 0380 …) — scaled by the same density. All well values are synthetic.
 */
import { pointInPolygon } from '../../../kit/geo.ts';
import type { MunicipalityRecord } from '../../../kit/sweden.ts';
import { municipalitiesInOrder } from './geology.ts';
import { areaKm2, toSweref } from './geometry.ts';
import { between, pickWeighted, round, seedOf, stream, unit } from './random.ts';

/** Wells per km² by latitude (piecewise linear). */
const DENSITY: ReadonlyArray<[number, number]> = [
  [55, 3.0],
  [60.5, 2.6],
  [63, 1.1],
  [66, 0.35],
  [68, 0.08],
];

function density(lat: number): number {
  if (lat <= DENSITY[0]![0]) return DENSITY[0]![1];
  for (let i = 1; i < DENSITY.length; i++) {
    const [la1, d1] = DENSITY[i]!;
    const [la0, d0] = DENSITY[i - 1]!;
    if (lat <= la1) return d0 + ((lat - la0) / (la1 - la0)) * (d1 - d0);
  }
  return DENSITY[DENSITY.length - 1]![1];
}

/** A former city (stad): SCB municipality codes ending 80–99. */
export const isCity = (m: MunicipalityRecord): boolean => Number(m.code.slice(2)) >= 80;

/** brunnsid = (municipality ordinal + 1) · 100 000 + index + 1: decodable for `/items/brunnar.{id}`. */
const ID_STRIDE = 100_000;
const SEED = seedOf('sgu:wells');

export interface WellArchive {
  municipalities: MunicipalityRecord[];
  ordinalOf: Map<string, number>;
  count(ordinal: number): number;
  total(): number;
}

let archive: WellArchive | undefined;

export function wellArchive(): WellArchive {
  if (archive) return archive;
  const municipalities = municipalitiesInOrder();
  const counts = municipalities.map((m, o) => {
    const d = density(m.centroid.latitude);
    const rural = areaKm2(m.geometry) * d * (0.7 + 0.6 * unit(SEED, o, 1));
    const city = isCity(m) ? (1500 + 2500 * unit(SEED, o, 2)) * (d / 2.6) : 0;
    return Math.max(12, Math.round(rural + city));
  });
  const total = counts.reduce((a, b) => a + b, 0);
  archive = {
    municipalities,
    ordinalOf: new Map(municipalities.map((m, i) => [m.code, i])),
    count: (o) => counts[o] ?? 0,
    total: () => total,
  };
  return archive;
}

export const wellId = (ordinal: number, index: number) => (ordinal + 1) * ID_STRIDE + index + 1;

export function wellOfId(brunnsid: number): { ordinal: number; index: number } | null {
  if (!Number.isInteger(brunnsid)) return null;
  const ordinal = Math.floor(brunnsid / ID_STRIDE) - 1;
  const index = (brunnsid % ID_STRIDE) - 1;
  const a = wellArchive();
  return ordinal >= 0 && ordinal < a.municipalities.length && index >= 0 && index < a.count(ordinal)
    ? { ordinal, index }
    : null;
}

const USES = ['HUS', 'ENE', 'LAN', 'BEV', 'IND', 'OBS', 'SAM', 'VAF', 'ÖVR'] as const;
type Use = (typeof USES)[number];
/** HUS, ENE and ÖVR as the fixtures give them; the others are our reading of SGU's codes. */
const USE_TEXT: Record<Use, string> = {
  HUS: 'Hushåll',
  ENE: 'Energi',
  LAN: 'Lantbruk',
  BEV: 'Bevattning',
  IND: 'Industri',
  OBS: 'Observation',
  SAM: 'Samfällighet',
  VAF: 'Vattenförsörjning',
  ÖVR: 'Övrigt',
};
const CITY_USE = [0.25, 0.62, 0.0, 0.02, 0.03, 0.01, 0.02, 0.0, 0.05];
const RURAL_USE = [0.62, 0.28, 0.04, 0.01, 0.005, 0.005, 0.01, 0.005, 0.03];

/** The wells are drilled up to this year (the archive is a record of the past). */
const LAST_YEAR = 2025;

export interface WellFeature {
  id: string;
  lon: number;
  lat: number;
  properties: Record<string, string | number | null>;
}

/** The index-th well of a municipality, in SGU's property order. */
export function wellFeature(ordinal: number, index: number): WellFeature {
  const m = wellArchive().municipalities[ordinal]!;
  const s = stream(SEED, ordinal, index);
  const [lon, lat] = positionIn(m, s);
  const use = pickWeighted(s(), USES, isCity(m) ? CITY_USE : RURAL_USE);
  const energy = use === 'ENE';
  const year = Math.floor(
    energy ? 1978 + s() ** 0.6 * (LAST_YEAR - 1978) : 1950 + s() ** 0.8 * (LAST_YEAR - 1950),
  );
  const month = 1 + Math.floor(s() * 12);
  const day = 1 + Math.floor(s() * 28);
  const form = s();
  const borrdatum =
    form < 0.4
      ? String(year)
      : form < 0.65
        ? `${year}-${String(month).padStart(2, '0')}`
        : `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const depth = energy
    ? between(s(), 90, 260)
    : use === 'LAN'
      ? between(s(), 40, 140)
      : 30 + 120 * s() ** 1.3;
  const soilKnown = s() < 0.85;
  const soilDepth = round(0.5 + 19.5 * s() ** 2, 1);
  const soilQualifier = soilKnown && s() < 0.18 ? '>' : null;
  const hasCapacity = energy ? s() < 0.2 : s() < 0.9;
  const capacity = Math.round(Math.exp(between(s(), Math.log(150), Math.log(4000))) / 10) * 10;
  const capacityQualifier = hasCapacity && s() < 0.3 ? '>' : null;
  const level = s() < 0.6 ? round(between(s(), 1, 15), 1) : null;
  const casing = soilKnown && s() < 0.7 ? round(soilDepth + 2, 1) : null;
  const p = toSweref(lon, lat);
  const brunnsid = wellId(ordinal, index);
  return {
    id: `brunnar.${brunnsid}`,
    lon,
    lat,
    properties: {
      obsplatsid: `B${m.code}-${brunnsid}`,
      brunnsid,
      n: round(p.n, 0),
      e: round(p.e, 0),
      posvardering_kod: 3,
      posvardering: 'Inom 50 m',
      kommunkod: m.code,
      kommunnamn: m.name,
      ort: null,
      lage_specifikt: null,
      borrdatum,
      tecken_vattenmangd: capacityQualifier,
      kapacitet: hasCapacity ? capacity : null,
      tecken_niva: null,
      grundvattenniva: level,
      nivadatum: null,
      bottendiam: pickWeighted(s(), [115, 140, 160], [0.8, 0.15, 0.05]),
      totaldjup: s() < 0.7 ? Math.round(depth) : round(depth, 1),
      tecken_jorddjup: soilQualifier,
      jorddjup: soilKnown ? soilDepth : null,
      rorborrning_till: null,
      stalror_till: casing,
      plastror_till: null,
      tatning_kod: null,
      tatning: null,
      anvandning_kod: use,
      anvandning: USE_TEXT[use],
      gradborrning: null,
      allman_anmarkning: null,
      grundvattenanmarkning: null,
    },
  };
}

function positionIn(m: MunicipalityRecord, s: () => number): [number, number] {
  const { minLon, minLat, maxLon, maxLat } = m.bbox;
  for (let i = 0; i < 60; i++) {
    const lon = between(s(), minLon, maxLon);
    const lat = between(s(), minLat, maxLat);
    if (pointInPolygon(m.geometry, lon, lat)) return [round(lon, 8), round(lat, 8)];
  }
  return [m.centroid.longitude, m.centroid.latitude];
}
