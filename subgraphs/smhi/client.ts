import { round6 } from '../../kit/sweden.ts';
import type { RequestTrace, Upstream } from '../../kit/upstream.ts';
import { expectArray, expectObject, expectString, looseNumber } from '../../kit/validate.ts';
import {
  type LatestHourSet,
  parseLatestHourSet,
  parseStationData,
  parseStationList,
  type StationData,
  type StationList,
} from './metobs.ts';
import { toIsoUtc } from './time.ts';
import { parseWarnings, type WarningModel } from './warnings.ts';

/** One forecast step, our DTO (sentinels already mapped to null). */
export interface ForecastStep {
  time: string;
  intervalStart: string | null;
  airTemperature: number | null;
  windSpeed: number | null;
  windDirection: number | null;
  windGust: number | null;
  relativeHumidity: number | null;
  pressure: number | null;
  visibility: number | null;
  thunderProbability: number | null;
  frozenPrecipitationProbability: number | null;
  cloudCover: number | null;
  lowCloudCover: number | null;
  mediumCloudCover: number | null;
  highCloudCover: number | null;
  cloudBase: number | null;
  cloudTop: number | null;
  precipitationMean: number | null;
  precipitationMeanDeterministic: number | null;
  precipitationMin: number | null;
  precipitationMax: number | null;
  precipitationMedian: number | null;
  precipitationProbability: number | null;
  frozenPrecipitationPercent: number | null;
  precipitationType: number | null;
  symbol: number | null;
}

export interface Forecast {
  createdTime: string | null;
  referenceTime: string | null;
  /** The grid point SMHI answered for ([lon, lat]); it may differ from the requested point. */
  point: { longitude: number; latitude: number } | null;
  steps: ForecastStep[];
}

/** snow1g key → our field, with the sentinel values that mean "missing" for that field only. */
const FIELDS: Array<[keyof ForecastStep, string, number[]]> = [
  ['airTemperature', 'air_temperature', []],
  ['windSpeed', 'wind_speed', []],
  ['windDirection', 'wind_from_direction', []],
  ['windGust', 'wind_speed_of_gust', []],
  ['relativeHumidity', 'relative_humidity', []],
  ['pressure', 'air_pressure_at_mean_sea_level', []],
  ['visibility', 'visibility_in_air', []],
  ['thunderProbability', 'thunderstorm_probability', []],
  ['frozenPrecipitationProbability', 'probability_of_frozen_precipitation', []],
  ['cloudCover', 'cloud_area_fraction', []],
  ['lowCloudCover', 'low_type_cloud_area_fraction', []],
  ['mediumCloudCover', 'medium_type_cloud_area_fraction', []],
  ['highCloudCover', 'high_type_cloud_area_fraction', []],
  ['cloudBase', 'cloud_base_altitude', [9999, -8]],
  ['cloudTop', 'cloud_top_altitude', [9999, -8]],
  ['precipitationMean', 'precipitation_amount_mean', []],
  ['precipitationMeanDeterministic', 'precipitation_amount_mean_deterministic', []],
  ['precipitationMin', 'precipitation_amount_min', []],
  ['precipitationMax', 'precipitation_amount_max', []],
  ['precipitationMedian', 'precipitation_amount_median', []],
  ['precipitationProbability', 'probability_of_precipitation', []],
  ['frozenPrecipitationPercent', 'precipitation_frozen_part', [-9]],
  ['precipitationType', 'predominant_precipitation_type_at_surface', [-9]],
  ['symbol', 'symbol_code', []],
];

/** Fields the schema types as `Int` (codes): a non-integer there is not a code, so null. */
const CODE_FIELDS = new Set<keyof ForecastStep>(['precipitationType', 'symbol']);

/** Parses a snow1g v1 point response; tolerant of missing and unknown keys. */
export function parseForecast(json: unknown): Forecast {
  const root = expectObject(json, 'forecast');
  const series = expectArray(root['timeSeries'], 'forecast.timeSeries');
  const coords = expectObject(root['geometry'] ?? {}, 'forecast.geometry')['coordinates'];
  // snow1g sends a flat [lon, lat]; the retired pmp3g nested it: accept both.
  const flat = Array.isArray(coords) && Array.isArray(coords[0]) ? coords[0] : coords;
  const lon = Array.isArray(flat) ? looseNumber(flat[0]) : null;
  const lat = Array.isArray(flat) ? looseNumber(flat[1]) : null;
  const steps = series.map((entry, i) => {
    const step = expectObject(entry, `forecast.timeSeries[${i}]`);
    const data = expectObject(step['data'] ?? {}, `forecast.timeSeries[${i}].data`);
    const out = {
      time: toIsoUtc(expectString(step['time'], `forecast.timeSeries[${i}].time`)),
      intervalStart:
        typeof step['intervalParametersStartTime'] === 'string'
          ? toIsoUtc(step['intervalParametersStartTime'])
          : null,
    } as ForecastStep;
    for (const [field, key, sentinels] of FIELDS) {
      const value = looseNumber(data[key]);
      const missing =
        value === null || sentinels.includes(value) || (CODE_FIELDS.has(field) && !Number.isInteger(value));
      (out as unknown as Record<string, number | null>)[field] = missing ? null : value;
    }
    return out;
  });
  steps.sort((a, b) => a.time.localeCompare(b.time));
  return {
    createdTime: typeof root['createdTime'] === 'string' ? toIsoUtc(root['createdTime']) : null,
    referenceTime: typeof root['referenceTime'] === 'string' ? toIsoUtc(root['referenceTime']) : null,
    point: lon !== null && lat !== null ? { longitude: lon, latitude: lat } : null,
    steps,
  };
}

/** SMHI accepts at most 6 decimals (more gave 404 on pmp3g). */
export const sixDecimals = (n: number): string => String(round6(n));

/** Metobs periods with JSON data (corrected-archive is CSV only and not offered). */
export const OBSERVATION_PERIODS = ['latest-hour', 'latest-day', 'latest-months'] as const;
export type ObservationPeriodKey = (typeof OBSERVATION_PERIODS)[number];

/**
 * Cache TTLs, matched to how often the data changes. The schema's `@cacheControl` hints use the
 * same numbers (seconds).
 * - Forecast: the upstream's Cache-Control when it sends one, else 30 min (runs are ~hourly).
 * - Observations: 10 min, forced. Metobs answers `max-age=60` (its CDN's own freshness), but
 *   stations report once an hour and SMHI asks clients not to download unchanged data again; 60 s
 *   would mean up to 60 identical downloads of the whole-country file per parameter per hour.
 *   10 min keeps a new hourly value at most 10 min late (SMHI's suggested polling: 10–15 min).
 * - Station lists: 1 day, forced (stations open and close over months).
 * - Warnings: 5 min, forced: SMHI suggests polling every few minutes; a fixed TTL keeps the
 *   promised `@cacheControl(maxAge: 300)` true whatever the upstream sends.
 */
export const TTL = {
  forecastMs: 30 * 60_000,
  observationsMs: 10 * 60_000,
  stationListMs: 24 * 60 * 60_000,
  warningsMs: 5 * 60_000,
} as const;

/** The SMHI client surface the resolvers use (a fake or replay client satisfies it too). */
export interface SmhiClient {
  forecast(latitude: number, longitude: number, trace?: RequestTrace): Promise<Forecast | null>;
  /** Stations measuring a metobs parameter; null when SMHI has no such parameter (404). */
  stationList(parameter: number, trace?: RequestTrace): Promise<StationList | null>;
  /** One station's observations for a period; null when it has none for that period (404). */
  stationData(
    parameter: number,
    stationId: string,
    period: ObservationPeriodKey,
    trace?: RequestTrace,
  ): Promise<StationData | null>;
  /** The latest hour of every station for one parameter: one call for the whole country. */
  latestHour(parameter: number, trace?: RequestTrace): Promise<LatestHourSet | null>;
  /** All current impact-based warnings. */
  warnings(trace?: RequestTrace): Promise<WarningModel[] | null>;
}

export interface SmhiUpstreams {
  forecast: Upstream;
  metobs: Upstream;
  warnings: Upstream;
}

export function createSmhiClient(upstreams: SmhiUpstreams): SmhiClient {
  return {
    forecast(latitude, longitude, trace) {
      return upstreams.forecast.get({
        path: `/geotype/point/lon/${sixDecimals(longitude)}/lat/${sixDecimals(latitude)}/data.json`,
        parse: parseForecast,
        ttlMs: TTL.forecastMs,
        trace,
      });
    },
    stationList(parameter, trace) {
      return upstreams.metobs.get({
        path: `/parameter/${parameter}.json`,
        parse: parseStationList(parameter),
        ttlMs: TTL.stationListMs,
        forceTtl: true,
        // SMHI's answer for a parameter it does not have.
        notFoundIsNull: true,
        trace,
      });
    },
    stationData(parameter, stationId, period, trace) {
      return upstreams.metobs.get({
        path: `/parameter/${parameter}/station/${stationId}/period/${period}/data.json`,
        parse: parseStationData(parameter, stationId, period),
        ttlMs: TTL.observationsMs,
        forceTtl: true,
        // An unknown station, or a period without data (smhi.md: 404 for both).
        notFoundIsNull: true,
        trace,
      });
    },
    latestHour(parameter, trace) {
      return upstreams.metobs.get({
        path: `/parameter/${parameter}/station-set/all/period/latest-hour/data.json`,
        parse: parseLatestHourSet(parameter),
        ttlMs: TTL.observationsMs,
        forceTtl: true,
        trace,
      });
    },
    warnings(trace) {
      return upstreams.warnings.get({
        path: '/warning.json',
        parse: parseWarnings,
        ttlMs: TTL.warningsMs,
        forceTtl: true,
        trace,
      });
    },
  };
}
