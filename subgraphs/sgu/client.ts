import { UpstreamError } from '../../kit/errors.ts';
import { type Polygonal, pointInPolygon } from '../../kit/geo.ts';
import {
  bboxAround,
  bboxForRadius,
  cqlString,
  type OgcFeature,
  type OgcFeaturesService,
  type OgcValue,
  ogcFeatures,
  pointOf,
} from '../../kit/ogc.ts';
import { geography, round6 } from '../../kit/sweden.ts';
import type { RequestTrace, Upstream } from '../../kit/upstream.ts';
import { looseNumber, optionalString } from '../../kit/validate.ts';

/**
 * SGU's OGC API Features services (api.sgu.se, GeoServer). Every response is a GeoJSON
 * FeatureCollection in CRS84; property types drift, so every value is read loosely.
 * © Sveriges geologiska undersökning (SGU), CC0.
 */

/** Cache TTLs: geology maps change yearly at most, stations daily, levels several times a day. */
export const TTL = {
  geologyMs: 30 * 24 * 60 * 60_000,
  stationsMs: 24 * 60 * 60_000,
  wellsMs: 24 * 60 * 60_000,
  levelsMs: 6 * 60 * 60_000,
} as const;

/** North of this latitude the 1:25 000–1:100 000 soil map has no coverage (SGU); use 1:250 000. */
export const SOIL_25K_NORTH_LIMIT = 65.1;
/** Half size (degrees) of the box asked for around a point: polygons touching it come back unclipped. */
export const POINT_BOX_DEG = 0.002;
/** Polygons requested around a point (more than one: the first need not contain the point). */
export const POINT_QUERY_LIMIT = 50;
/** Upper bound of wells read for one municipality listing (offset + limit). */
export const MAX_WELLS_WINDOW = 5_000;

export interface LatLon {
  latitude: number;
  longitude: number;
}

/** A groundwater monitoring station (`grundvattennivaer-observerade/stationer`). */
export interface Station {
  /** `platsbeteckning`, e.g. "95_2". */
  id: string;
  featureId: string | null;
  name: string | null;
  municipalityCode: string | null;
  municipalityName: string | null;
  countyCode: string | null;
  countyName: string | null;
  location: LatLon | null;
  aquiferCode: string | null;
  aquifer: string | null;
  soilType: string | null;
  soilGenesis: string | null;
  soilDepth: number | null;
  referenceLevel: number | null;
  heightSystem: string | null;
  heightMethod: string | null;
  pipeHeight: number | null;
  pipeLength: number | null;
  wellMaterial: string | null;
  geohydrologicalSetting: string | null;
  monitoredFrom: string | null;
  monitoredTo: string | null;
  groundwaterBody: string | null;
}

/** One measured groundwater level (`nivaer`). */
export interface Level {
  stationId: string;
  /** `obsdatum` as sent (ISO date-time). */
  date: string;
  metersAboveSeaLevel: number | null;
  metersBelowGroundSurface: number | null;
  metersBelowPipeTop: number | null;
  method: string | null;
  remark: string | null;
}

/** A well from SGU's well archive (`brunnar/brunnar`). */
export interface Well {
  id: string;
  wellNumber: string | null;
  municipalityCode: string | null;
  location: LatLon | null;
  depth: number | null;
  soilDepth: number | null;
  soilDepthQualifier: string | null;
  capacity: number | null;
  capacityQualifier: string | null;
  groundwaterLevel: number | null;
  useCode: string | null;
  use: string | null;
  drilledDate: string | null;
}

export type SoilMap = 'JORDARTER_25K_100K' | 'JORDARTER_250K';

export interface SoilType {
  name: string | null;
  code: number | null;
  map: SoilMap;
  featureId: string | null;
}

export interface Bedrock {
  name: string | null;
  /** Rock-type code (`bergart`, beside `bergart_tx`), when the data carries one. */
  code: string | null;
  featureId: string | null;
  unit: string | null;
  lithology: string | null;
  tectonicUnit: string | null;
  description: string | null;
}

export interface Listing<T> {
  items: T[];
  /** More matched than were read (page/feature bounds). */
  truncated: boolean;
  /** How many matched in all, where the service said so. */
  total?: number | null;
}

/** The SGU surface the resolvers use (a fake or replay client satisfies it too). */
export interface SguClient {
  stationsByIds(ids: readonly string[], trace?: RequestTrace): Promise<Station[]>;
  stationsInMunicipality(code: string, trace?: RequestTrace): Promise<Listing<Station> | null>;
  stationsNear(
    latitude: number,
    longitude: number,
    radiusKm: number,
    trace?: RequestTrace,
  ): Promise<Station[] | null>;
  /** Levels of one station with `obsdatum` ≥ `from` (and < `toExclusive`), ISO instants. */
  levels(
    stationId: string,
    from: string,
    toExclusive: string | null,
    trace?: RequestTrace,
  ): Promise<Listing<Level> | null>;
  wells(code: string, take: number, trace?: RequestTrace): Promise<Listing<Well> | null>;
  wellCount(code: string, trace?: RequestTrace): Promise<number | null>;
  soilAt(latitude: number, longitude: number, trace?: RequestTrace): Promise<SoilType | null>;
  bedrockAt(latitude: number, longitude: number, trace?: RequestTrace): Promise<Bedrock | null>;
}

/** Dataset service roots below SGU_API_URL. */
export const SERVICES = {
  groundwater: '/grundvattennivaer-observerade/ogc/features/v1',
  wells: '/brunnar/ogc/features/v1',
  soil25k: '/jordarter25k-100k/ogc/features/v1',
  soil250k: '/jordarter250k/ogc/features/v1',
  bedrock: '/berggrund50k-250k/ogc/features/v1',
} as const;

const text = (v: OgcValue | undefined): string | null => {
  const s = optionalString(v ?? null);
  return s === null || s.trim() === '' ? null : s.trim();
};
const num = (v: OgcValue | undefined): number | null => looseNumber(v ?? null);
/** An integer code ("8", 8, 8.0 → 8); anything else is not a code (the schema's `Int` would fail). */
const intCode = (v: OgcValue | undefined): number | null => {
  const n = num(v);
  return n !== null && Number.isInteger(n) ? n : null;
};

/** A code that may have lost its leading zeros to type drift ("180", 180 → "0180"). */
function paddedCode(v: OgcValue | undefined, digits: number): string | null {
  const s = text(v);
  if (s === null) return null;
  if (/^\d+(\.0+)?$/.test(s)) return String(Number.parseInt(s, 10)).padStart(digits, '0');
  return s;
}

function locationOf(feature: OgcFeature): LatLon | null {
  const p = pointOf(feature);
  return p ? { latitude: round6(p.latitude), longitude: round6(p.longitude) } : null;
}

export function toStation(feature: OgcFeature): Station | null {
  const p = feature.properties;
  const id = text(p['platsbeteckning']);
  if (id === null) return null; // a station without its id cannot be joined to its levels
  const municipalityCode = paddedCode(p['kommunkod'], 4);
  return {
    id,
    featureId: feature.id,
    name: text(p['obsplatsnamn']),
    municipalityCode,
    municipalityName: text(p['kommun']),
    countyCode: paddedCode(p['lanskod'], 2) ?? municipalityCode?.slice(0, 2) ?? null,
    countyName: text(p['lan']),
    location: locationOf(feature),
    aquiferCode: text(p['akvifer']),
    aquifer: text(p['akvifer_tx']),
    soilType: text(p['jordart_tx']),
    soilGenesis: text(p['genes_jord_tx']),
    soilDepth: num(p['jorddjup']),
    referenceLevel: num(p['refniva']),
    heightSystem: text(p['hojdsystem']),
    heightMethod: text(p['hojdmetod']),
    pipeHeight: num(p['rorhojd']),
    pipeLength: num(p['rorlangd']),
    wellMaterial: text(p['brunnsmtrl_tx']),
    geohydrologicalSetting: text(p['geohylag_tx']),
    monitoredFrom: text(p['fdat']),
    monitoredTo: text(p['tdat']),
    groundwaterBody: text(p['eucd_gwb']),
  };
}

export function toLevel(feature: OgcFeature): Level | null {
  const p = feature.properties;
  const stationId = text(p['platsbeteckning']);
  const date = text(p['obsdatum']);
  if (stationId === null || date === null) return null;
  return {
    stationId,
    date,
    metersAboveSeaLevel: num(p['grundvattenniva_m_o_h']),
    metersBelowGroundSurface: num(p['grundvattenniva_m_u_markyta']),
    metersBelowPipeTop: num(p['grundvattenniva_m_urok']),
    method: text(p['metod_for_matning']),
    remark: text(p['nivaanmarkning']),
  };
}

export function toWell(feature: OgcFeature): Well | null {
  const p = feature.properties;
  const id = text(p['obsplatsid']) ?? text(p['brunnsid']) ?? feature.id;
  if (id === null) return null;
  return {
    id,
    wellNumber: text(p['brunnsid']),
    municipalityCode: paddedCode(p['kommunkod'], 4),
    location: locationOf(feature),
    depth: num(p['totaldjup']),
    soilDepth: num(p['jorddjup']),
    soilDepthQualifier: text(p['tecken_jorddjup']),
    capacity: num(p['kapacitet']),
    capacityQualifier: text(p['tecken_vattenmangd']),
    groundwaterLevel: num(p['grundvattenniva']),
    useCode: text(p['anvandning_kod']),
    use: text(p['anvandning']),
    // Kept as given: the archive holds years ("1978"), year-months ("1978-06") and dates.
    drilledDate: text(p['borrdatum']),
  };
}

const isPolygonal = (g: OgcFeature['geometry']): g is OgcFeature['geometry'] & Polygonal =>
  g !== null && (g.type === 'Polygon' || g.type === 'MultiPolygon') && Array.isArray(g.coordinates);

/**
 * The first polygon that really contains the point. The service returns every polygon that touches
 * the query box, unclipped, so the box alone proves nothing.
 */
export function featureContaining(features: readonly OgcFeature[], latitude: number, longitude: number) {
  return (
    features.find(
      (f) => isPolygonal(f.geometry) && pointInPolygon(f.geometry as Polygonal, longitude, latitude),
    ) ?? null
  );
}

/** SGU ids ("95_2") are letters, digits, `_`, `-`, `.`; anything else could break out of a CQL literal. */
export const STATION_ID = /^[A-Za-z0-9_.-]{1,40}$/;

export function createSguClient(upstream: Upstream): SguClient {
  const groundwater: OgcFeaturesService = ogcFeatures(upstream, SERVICES.groundwater, {
    maxPages: 10,
    maxFeatures: 10_000,
  });
  const wellsService = ogcFeatures(upstream, SERVICES.wells, { maxPages: 10, maxFeatures: MAX_WELLS_WINDOW });
  const soil25k = ogcFeatures(upstream, SERVICES.soil25k, { maxPages: 1 });
  const soil250k = ogcFeatures(upstream, SERVICES.soil250k, { maxPages: 1 });
  const bedrock = ogcFeatures(upstream, SERVICES.bedrock, { maxPages: 1 });
  const stationList = (features: OgcFeature[]) => features.map(toStation).filter((s) => s !== null);

  async function polygonAt(
    service: OgcFeaturesService,
    collection: string,
    latitude: number,
    longitude: number,
    trace: RequestTrace | undefined,
  ): Promise<OgcFeature | null> {
    const result = await service.items(
      collection,
      { bbox: bboxAround(latitude, longitude, POINT_BOX_DEG), limit: POINT_QUERY_LIMIT },
      { ttlMs: TTL.geologyMs, trace, maxPages: 1 },
    );
    if (!result) return null;
    const found = featureContaining(result.features, latitude, longitude);
    // No polygon of the page contains the point, but SGU has more: the map is not unmapped there, the
    // read is incomplete. An error, not a null that reads as "no soil (bedrock) mapped here".
    if (!found && result.truncated) {
      throw new UpstreamError(
        'BAD_PAYLOAD',
        'sgu',
        `SGU sent more than ${POINT_QUERY_LIMIT} polygons of ${collection} around the point and none of those read contains it; the answer is incomplete`,
      );
    }
    return found;
  }

  return {
    async stationsByIds(ids, trace) {
      if (ids.length === 0) return [];
      const filter =
        ids.length === 1
          ? `platsbeteckning=${cqlString(ids[0]!)}`
          : `platsbeteckning in (${ids.map(cqlString).join(',')})`;
      const result = await groundwater.items(
        'stationer',
        { filter, limit: Math.max(10, ids.length) },
        { ttlMs: TTL.stationsMs, trace },
      );
      return result ? stationList(result.features) : [];
    },

    async stationsInMunicipality(code, trace) {
      const result = await groundwater.items(
        'stationer',
        { filter: `kommunkod=${cqlString(code)}`, limit: 1000 },
        { ttlMs: TTL.stationsMs, trace, maxPages: 5 },
      );
      return result ? { items: stationList(result.features), truncated: result.truncated } : null;
    },

    async stationsNear(latitude, longitude, radiusKm, trace) {
      const result = await groundwater.items(
        'stationer',
        { bbox: bboxForRadius(latitude, longitude, radiusKm), limit: 1000 },
        { ttlMs: TTL.stationsMs, trace, maxPages: 5 },
      );
      return result ? stationList(result.features) : null;
    },

    async levels(stationId, from, toExclusive, trace) {
      const parts = [`platsbeteckning=${cqlString(stationId)}`, `obsdatum >= ${cqlString(from)}`];
      if (toExclusive !== null) parts.push(`obsdatum < ${cqlString(toExclusive)}`);
      const result = await groundwater.items(
        'nivaer',
        { filter: parts.join(' AND '), limit: 1000 },
        { ttlMs: TTL.levelsMs, trace },
      );
      if (!result) return null;
      const levels = result.features.map(toLevel).filter((l) => l !== null);
      levels.sort((a, b) => instant(a.date) - instant(b.date));
      return { items: levels, truncated: result.truncated };
    },

    async wells(code, take, trace) {
      const result = await wellsService.items(
        'brunnar',
        { filter: `kommunkod=${cqlString(code)}`, limit: take },
        { ttlMs: TTL.wellsMs, trace, maxFeatures: take },
      );
      return result
        ? {
            items: result.features.map(toWell).filter((w) => w !== null),
            truncated: result.truncated,
            total: result.numberMatched,
          }
        : null;
    },

    wellCount(code, trace) {
      return wellsService.count(
        'brunnar',
        { filter: `kommunkod=${cqlString(code)}` },
        { ttlMs: TTL.wellsMs, trace },
      );
    },

    async soilAt(latitude, longitude, trace) {
      if (latitude <= SOIL_25K_NORTH_LIMIT) {
        const found = await polygonAt(soil25k, 'grundlager', latitude, longitude, trace);
        if (found) return toSoil(found, 'JORDARTER_25K_100K');
      }
      const found = await polygonAt(soil250k, 'grundlager', latitude, longitude, trace);
      return found ? toSoil(found, 'JORDARTER_250K') : null;
    },

    async bedrockAt(latitude, longitude, trace) {
      const found = await polygonAt(bedrock, 'geologisk-enhet-yta', latitude, longitude, trace);
      if (!found) return null;
      const p = found.properties;
      return {
        name: text(p['bergart_tx']),
        // SGU pairs a code column with each `_tx` text column (jg2/jg2_tx for soil); the bedrock
        // reference lists only the texts, so the code is read when present (UNCONFIRMED).
        code: optionalString(p['bergart']),
        featureId: found.id,
        unit: text(p['geo_enh_tx']),
        lithology: text(p['lito_n_tx']),
        tectonicUnit: text(p['tekt_n_tx']),
        description: text(p['b_prop_tx']),
      };
    },
  };
}

function toSoil(feature: OgcFeature, map: SoilMap): SoilType {
  const p = feature.properties;
  return {
    // jordarter250k's property names are not documented; accept the 25k names and the WMS spelling.
    name: text(p['jg2_tx']) ?? text(p['jordart_tx']) ?? text(p['Jordart']),
    code: intCode(p['jg2']) ?? intCode(p['jordart']),
    map,
    featureId: feature.id,
  };
}

/**
 * Epoch ms of an ISO date or date-time; unparseable sorts first. A date-time without a zone is read
 * as UTC (like a date alone), not in the server's local time zone: the order must not depend on TZ,
 * and a Swedish local time that does not exist (02:30 on the DST night) must not become NaN.
 */
export function instant(value: string): number {
  const zoneless = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value);
  const ms = Date.parse(zoneless ? `${value}Z` : value);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** True when the code is one of Sweden's 290 municipality codes. */
export const isMunicipalityCode = (code: string | null): code is string =>
  code !== null && geography().municipalities.has(code);
