/**
 * Simulated snow1g v1 point forecast:
 * `GET {SMHI_FORECAST_URL}/geotype/point/lon/{lon}/lat/{lat}/data.json`.
 *
 * The shape is the recorded response's (`forecast_snow1g_v1_point_pysmhi_2026-04-02.json`): the
 * 24 keys of `data`, their JSON types, the flat `[lon, lat]` geometry, `createdTime` and
 * `referenceTime`. Reproduced behaviour:
 * - the answer is for the nearest point of a fixed 2.5 km grid anchored at the recorded response's
 *   grid point, so the returned point differs from the one asked for (the recorded request
 *   lon 16.15035 lat 58.570784 gets the recorded [16.158549, 58.577821]);
 * - a model run every hour at HH:30, published (`createdTime`) 15–17 min later (recorded: reference
 *   05:30 → created 05:45:53, 10:45 → 11:01:32); the answer is the latest run published by the clock;
 * - the time axis of the recording: the first full hour after the run, 60 one-hour steps, one step
 *   to the next 00/06/12/18 UTC, six-hour steps until six days after the first step (ending at 00 or
 *   12 UTC), then twelve-hour steps until ten days after it (83 steps for a run at :30 or :45);
 * - `intervalParametersStartTime` = `time` minus the step length; interval values (precipitation)
 *   cover that interval;
 * - sentinels: cloud base/top 9999 without cloud and −8 for thin cloud in 6- and 12-hour steps,
 *   frozen part −9 and precipitation type 0 without precipitation;
 * - errors: more than 6 decimals or a malformed number → 404; a point outside the model area →
 *   400 `FIELD POINT OUT OF BOUNDS` as text/plain (what pmp3g answered; smhi.md §9).
 * Values are synthetic (./weather.ts): a function of grid point and valid time only.
 */
import { type Polygonal, pointInPolygon } from '../../../kit/geo.ts';
import type { SimRequest, SimResponse } from '../../../kit/simulator.ts';
import { unit } from './noise.ts';
import { type Weather, weatherAt } from './weather.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Grid spacing in km (snow1g's real grid is UNCONFIRMED; 2.5 km is typical of such models). */
export const GRID_KM = 2.5;
/** The grid point of the recorded response: the grid is anchored there. */
export const GRID_ANCHOR = { longitude: 16.158549, latitude: 58.577821 } as const;
const DLAT = GRID_KM / 111.2;

const round = (x: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};

/** The grid point nearest to (lat, lon): rows every GRID_KM north–south, columns every GRID_KM along each row. */
export function snapToGrid(latitude: number, longitude: number): { latitude: number; longitude: number } {
  const lat = GRID_ANCHOR.latitude + Math.round((latitude - GRID_ANCHOR.latitude) / DLAT) * DLAT;
  const dlon = GRID_KM / (111.32 * Math.cos((lat * Math.PI) / 180));
  const lon = GRID_ANCHOR.longitude + Math.round((longitude - GRID_ANCHOR.longitude) / dlon) * dlon;
  return { latitude: round(lat, 6), longitude: round(lon, 6) };
}

/**
 * The model area: pmp3g's documented corners (smhi.md §2.1; snow1g's own area is UNCONFIRMED),
 * SW, SE, NE, NW as [lon, lat].
 */
export const MODEL_AREA: Polygonal = {
  type: 'Polygon',
  coordinates: [
    [
      [2.250475, 52.50044],
      [27.34887, 52.547483],
      [37.848053, 70.740996],
      [-8.541278, 70.655722],
      [2.250475, 52.50044],
    ],
  ],
};

export interface Run {
  referenceTime: number;
  createdTime: number;
}

/** Runs start every hour at HH:30 and are published 15–17 min later (seconds seeded by the run). */
const RUN_MINUTE_MS = 30 * 60_000;

function createdTimeOf(referenceTime: number): number {
  const seconds = Math.floor(unit(Math.floor(referenceTime / HOUR_MS), 0, 0, 0x5e0f1) * 120);
  return referenceTime + 15 * 60_000 + seconds * 1000;
}

/** The latest run published at `now`. */
export function latestRun(now: number): Run {
  let ref = Math.floor((now - RUN_MINUTE_MS) / HOUR_MS) * HOUR_MS + RUN_MINUTE_MS;
  if (createdTimeOf(ref) > now) ref -= HOUR_MS;
  return { referenceTime: ref, createdTime: createdTimeOf(ref) };
}

export interface Step {
  time: number;
  start: number;
}

/** The recorded time axis pattern for a run (see the file comment). */
export function timeAxis(referenceTime: number): Step[] {
  const first = Math.floor(referenceTime / HOUR_MS) * HOUR_MS + HOUR_MS;
  const steps: Step[] = [];
  let t = first;
  const push = (next: number) => {
    steps.push({ time: next, start: t === next ? next - HOUR_MS : t });
    t = next;
  };
  push(first);
  for (let i = 0; i < 59; i++) push(t + HOUR_MS);
  // One step to the next synoptic hour (00/06/12/18 UTC).
  push((Math.floor(t / (6 * HOUR_MS)) + 1) * 6 * HOUR_MS);
  while (!(t >= first + 6 * DAY_MS && t % (12 * HOUR_MS) === 0)) push(t + 6 * HOUR_MS);
  while (t < first + 10 * DAY_MS) push(t + 12 * HOUR_MS);
  return steps;
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** `symbol_code` 1–27 from what the step holds (SMHI's Wsymb2 categories). */
export function symbolOf(s: {
  cloudTotal: number;
  visibility: number;
  probability: number;
  median: number;
  hours: number;
  frozenPart: number;
  convective: boolean;
  thunder: number;
}): number {
  if (s.probability >= 45 && s.median >= 0.1) {
    const rate = s.median / s.hours;
    const intensity = rate < 0.5 ? 0 : rate < 2 ? 1 : 2;
    if (s.thunder >= 30) return s.convective ? 11 : 21;
    const kind = s.frozenPart >= 70 ? 'snow' : s.frozenPart >= 30 ? 'sleet' : 'rain';
    if (s.convective) return { rain: 8, sleet: 12, snow: 15 }[kind] + intensity;
    return { rain: 18, sleet: 22, snow: 25 }[kind] + intensity;
  }
  if (s.visibility < 1) return 7;
  const octas = s.cloudTotal;
  if (octas <= 1) return 1;
  if (octas === 2) return 2;
  if (octas <= 5) return 3;
  if (octas === 6) return 4;
  if (octas === 7) return 5;
  return 6;
}

/** One step's `data`, in the recorded key order. */
function stepData(at: Weather, hourly: Weather[], hours: number, cell: number, time: number) {
  const frac = (k: number) => unit(cell, Math.floor(time / HOUR_MS), k, 0xc10d);
  let maxP = 0;
  let mean = 0;
  let median = 0;
  let det = 0;
  let min = 0;
  let max = 0;
  let thunder = 0;
  for (const w of hourly) {
    const p = w.precipProbability;
    maxP = Math.max(maxP, p);
    mean += p * w.precipRate;
    if (p >= 0.5) median += w.precipRate;
    det += w.precipDeterministic;
    if (p >= 0.1) min += 0.35 * w.precipRate;
    if (p >= 0.02) max += 1.7 * w.precipRate;
    thunder = Math.max(thunder, w.thunder);
  }
  const probability = Math.round(100 * maxP);
  const none = probability === 0;
  const amounts = none
    ? { mean: 0, median: 0, det: 0, min: 0, max: 0 }
    : {
        mean: round(mean, 1),
        median: round(median, 1),
        det: round(det, 1),
        min: round(min, 1),
        max: round(max, 1),
      };
  const precipitates = !none && amounts.max > 0;
  const frozenPart = precipitates ? at.frozenPart : -9;
  const conditionalRate = hourly.reduce((s, w) => s + w.precipRate, 0) / hourly.length;
  const precipType = !precipitates
    ? 0
    : frozenPart >= 90
      ? 5
      : frozenPart >= 50
        ? 6
        : frozenPart >= 10
          ? 7
          : conditionalRate < 0.3 && !at.convective && at.cloudLow >= 6
            ? 11
            : 1;

  // Cloud base and top (m), with SMHI's sentinels.
  let base: number;
  let top: number;
  if (at.cloudTotal === 0) {
    base = 9999;
    top = 9999;
  } else if (hours >= 6 && at.cloudTotal <= 2) {
    base = -8;
    top = -8;
  } else {
    const lowBase = Math.min(1900, Math.max(60, 125 * (at.temperature - at.dewPoint) + 100 + 300 * frac(1)));
    base = at.cloudLow >= 1 ? lowBase : at.cloudMedium >= 1 ? 2200 + 2600 * frac(2) : 5600 + 3000 * frac(3);
    top =
      at.cloudHigh >= 1
        ? Math.max(base + 200, 7200 + 2600 * frac(4))
        : at.cloudMedium >= 1
          ? Math.max(base + 300, 3200 + 3000 * frac(5))
          : base + 250 + 1500 * frac(6);
    base = Math.round(base);
    top = Math.round(Math.min(top, 9990));
  }

  return {
    air_temperature: round(at.temperature, 1),
    wind_from_direction: at.windDirection,
    wind_speed: round(at.windSpeed, 1),
    wind_speed_of_gust: round(Math.max(at.windGust, at.windSpeed), 1),
    relative_humidity: at.humidity,
    air_pressure_at_mean_sea_level: round(at.pressure, 1),
    visibility_in_air: round(at.visibility, 1),
    thunderstorm_probability: thunder,
    probability_of_frozen_precipitation: precipitates
      ? round((probability / 100) * (frozenPart / 100), 2)
      : 0,
    cloud_area_fraction: at.cloudTotal,
    low_type_cloud_area_fraction: at.cloudLow,
    medium_type_cloud_area_fraction: at.cloudMedium,
    high_type_cloud_area_fraction: at.cloudHigh,
    cloud_base_altitude: base,
    cloud_top_altitude: top,
    precipitation_amount_mean_deterministic: amounts.det,
    precipitation_amount_mean: amounts.mean,
    precipitation_amount_min: amounts.min,
    precipitation_amount_max: amounts.max,
    precipitation_amount_median: amounts.median,
    probability_of_precipitation: probability,
    precipitation_frozen_part: frozenPart,
    predominant_precipitation_type_at_surface: precipType,
    symbol_code: symbolOf({
      cloudTotal: at.cloudTotal,
      visibility: at.visibility,
      probability,
      median: amounts.median,
      hours,
      frozenPart,
      convective: at.convective,
      thunder,
    }),
  };
}

/** The snow1g answer for a grid point and a run. */
export function forecastFor(point: { latitude: number; longitude: number }, run: Run) {
  const { latitude, longitude } = point;
  // One weather per hour of the run, shared by the instant values and the intervals that contain it.
  const origin = Math.floor(run.referenceTime / HOUR_MS) * HOUR_MS;
  const memo: Weather[] = [];
  const at = (t: number) => {
    const i = Math.round((t - origin) / HOUR_MS);
    let w = memo[i];
    if (!w) {
      w = weatherAt(latitude, longitude, t);
      memo[i] = w;
    }
    return w;
  };
  const cell = Math.round(latitude * 1e4) * 7919 + Math.round(longitude * 1e4);
  return {
    createdTime: iso(run.createdTime),
    referenceTime: iso(run.referenceTime),
    geometry: { type: 'Point', coordinates: [longitude, latitude] },
    timeSeries: timeAxis(run.referenceTime).map(({ time, start }) => {
      const hours = Math.round((time - start) / HOUR_MS);
      const hourly: Weather[] = [];
      for (let k = 1; k <= hours; k++) hourly.push(at(start + k * HOUR_MS));
      return {
        time: iso(time),
        intervalParametersStartTime: iso(start),
        data: stepData(at(time), hourly, hours, cell, time),
      };
    }),
  };
}

/** A coordinate path segment: at most 6 decimals (SMHI answers 404 beyond that). */
const COORDINATE = /^-?\d{1,3}(\.\d{1,6})?$/;
const POINT_PATH = /^\/geotype\/point\/lon\/([^/]+)\/lat\/([^/]+)\/data\.json$/;

const HEADERS = { 'access-control-allow-origin': '*' };

export function notFound(): SimResponse {
  return { status: 404, headers: { 'content-type': 'text/plain', ...HEADERS }, body: 'Not Found' };
}

/** The forecast mount's handler. */
export function handleForecast(req: SimRequest): SimResponse {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, headers: { 'content-type': 'text/plain', ...HEADERS }, body: 'Method Not Allowed' };
  }
  const m = POINT_PATH.exec(req.path);
  if (!m || !COORDINATE.test(m[1]!) || !COORDINATE.test(m[2]!)) return notFound();
  const lon = Number(m[1]);
  const lat = Number(m[2]);
  if (!pointInPolygon(MODEL_AREA, lon, lat)) {
    return {
      status: 400,
      headers: { 'content-type': 'text/plain', 'cache-control': 'max-age=0,public', ...HEADERS },
      body: 'FIELD POINT OUT OF BOUNDS',
    };
  }
  const body = forecastFor(snapToGrid(lat, lon), latestRun(req.now));
  return {
    status: 200,
    headers: {
      'content-type': 'application/json',
      'last-modified': new Date(Date.parse(body.createdTime)).toUTCString(),
      ...HEADERS,
    },
    body,
  };
}
