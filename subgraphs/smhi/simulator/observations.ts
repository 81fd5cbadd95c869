/**
 * Synthetic metobs observations: what a station reports for a parameter at a time, derived from the
 * shared synthetic weather (./weather.ts) at the station's position and height, plus a little
 * per-station noise. Deterministic in (station, parameter, time); never in the request time.
 */
import { unit } from './noise.ts';
import type { Cadence, ParameterDef } from './parameters.ts';
import type { StationDef } from './stations.ts';
import { solarElevation, type Weather, weatherAt } from './weather.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type ObservationItem =
  | { date: number; value: string; quality: string }
  | { from: number; to: number; ref: string; value: string; quality: string };

/** When a station's hourly values are published: the value of HH:00 from HH:20 (UNCONFIRMED delay). */
export const PUBLISH_DELAY_MS = 20 * 60_000;

/** The newest observation hour published at `now`. */
export const latestObservationHour = (now: number) =>
  Math.floor((now - PUBLISH_DELAY_MS) / HOUR_MS) * HOUR_MS;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Per-station, per-request view of the weather (memoised by time). */
export class StationWeather {
  readonly #memo = new Map<number, Weather>();
  constructor(readonly station: StationDef) {}

  at(t: number): Weather {
    let w = this.#memo.get(t);
    if (!w) {
      const s = this.station;
      w = weatherAt(s.latitude, s.longitude, t, s.height);
      this.#memo.set(t, w);
    }
    return w;
  }

  /** A reproducible number in [-0.5, 0.5) for this station, parameter and time. */
  noise(parameter: number, t: number, k = 0): number {
    return unit(this.station.id, Math.floor(t / 60_000), parameter * 16 + k, 0x0b5e) - 0.5;
  }

  /** Precipitation (mm) that fell at the station in the hour ending at `t`. */
  precipitationHour(t: number): number {
    const hour = Math.ceil(t / HOUR_MS) * HOUR_MS;
    const w = this.at(hour);
    const u = this.noise(7, hour) + 0.5;
    return u < w.precipProbability ? w.precipRate * (0.5 + (this.noise(7, hour, 1) + 0.5)) : 0;
  }

  snowDepth(t: number): number {
    const s = this.station;
    const doy = (t - Date.UTC(new Date(t).getUTCFullYear(), 0, 1)) / DAY_MS;
    const winter = Math.cos((2 * Math.PI * (doy - 60)) / 365.25);
    const base = 0.07 * (s.latitude - 57) + s.height / 2500;
    return Math.max(0, base * winter + 0.05 * this.noise(8, Math.floor(t / DAY_MS) * DAY_MS) - 0.03);
  }

  /** Cloud layers present, lowest first: [base m, amount octas]. */
  layers(t: number): Array<[number, number]> {
    const w = this.at(t);
    const out: Array<[number, number]> = [];
    if (w.cloudLow > 0)
      out.push([Math.round(clamp(125 * (w.temperature - w.dewPoint) + 150, 60, 1900)), w.cloudLow]);
    if (w.cloudMedium > 0) out.push([Math.round(2200 + 2600 * (this.noise(28, t) + 0.5)), w.cloudMedium]);
    if (w.cloudHigh > 0) out.push([Math.round(5600 + 3000 * (this.noise(29, t) + 0.5)), w.cloudHigh]);
    return out;
  }
}

/** The value of a hourly/quarter/daily-at parameter at `t`, or null when the station has none. */
export function instantValue(sw: StationWeather, def: ParameterDef, t: number): number | null {
  const hour = Math.ceil(t / HOUR_MS) * HOUR_MS;
  const w = sw.at(hour);
  const n = sw.noise(def.id, t);
  const st = sw.station;
  switch (def.id) {
    case 1:
      return w.temperature + 0.4 * n;
    case 3:
      return w.windDirection;
    case 4:
      return Math.max(0, w.windSpeed * 0.9 + 0.3 * n);
    case 6:
      return w.humidity;
    case 7:
      return sw.precipitationHour(t);
    case 8:
      return sw.snowDepth(t);
    case 9:
      return w.pressure + 0.2 * n;
    case 10: {
      const sun = solarElevation(st.latitude, st.longitude, t - HOUR_MS / 2);
      return sun <= 0 ? 0 : Math.round(3600 * clamp(1 - w.cloudTotal / 8 + 0.15 * n, 0, 1));
    }
    case 11: {
      const sun = solarElevation(st.latitude, st.longitude, t - HOUR_MS / 2);
      return sun <= 0 ? 0 : 1000 * Math.sin((sun * Math.PI) / 180) * (1 - 0.75 * (w.cloudTotal / 8) ** 3.4);
    }
    case 12:
      return Math.round((w.visibility * 1000) / 100) * 100;
    case 13:
      return presentWeather(w, sw.precipitationHour(t));
    case 14:
      return (sw.precipitationHour(hour) / 4) * (1 + n);
    case 15:
    case 38:
      return (sw.precipitationHour(hour) / 900) * (1.2 + n);
    case 16:
      return Math.round((100 * w.cloudTotal) / 8);
    case 17:
    case 18: {
      // Precipitation kind over the last 12 (24) hours: 0 none, 1 rain, 2 sleet, 3 snow (synthetic code list).
      let amount = 0;
      for (let k = 0; k < (def.id === 17 ? 12 : 24); k++) amount += sw.precipitationHour(t - k * HOUR_MS);
      if (amount < 0.1) return 0;
      return w.frozenPart >= 70 ? 3 : w.frozenPart >= 30 ? 2 : 1;
    }
    case 21:
      return Math.max(w.windGust + 0.5 * n, w.windSpeed);
    case 24: {
      const kelvin = w.temperature + 273.15;
      return 5.67e-8 * kelvin ** 4 * (0.72 + 0.22 * (w.cloudTotal / 8));
    }
    case 25:
      return Math.max(...[0, 1, 2].map((k) => sw.at(hour - k * HOUR_MS).windSpeed)) * 1.05;
    case 26:
    case 27: {
      const temps = Array.from({ length: 12 }, (_, k) => sw.at(hour - k * HOUR_MS).temperature);
      return def.id === 26 ? Math.min(...temps) - 0.3 : Math.max(...temps) + 0.3;
    }
    case 28:
    case 29:
    case 30:
    case 31:
    case 32:
    case 33:
    case 34:
    case 35: {
      const layer = sw.layers(hour)[Math.floor((def.id - 28) / 2)];
      if (!layer) return null;
      return def.id % 2 === 0 ? layer[0] : layer[1];
    }
    case 36:
    case 37: {
      const lowest = sw.layers(hour)[0];
      return lowest ? lowest[0] * (def.id === 37 ? 0.9 : 1) : null;
    }
    case 39:
      return w.dewPoint + 0.3 * n;
    case 40: {
      // Ground state (synthetic codes after WMO 0901/0975): 0 dry, 1 moist, 2 wet, 4 frozen, 16 snow-covered.
      if (sw.snowDepth(t) > 0.02) return 16;
      if (w.temperature < -1) return 4;
      let wet = 0;
      for (let k = 0; k < 12; k++) wet += sw.precipitationHour(t - k * HOUR_MS);
      return wet > 0.5 ? 2 : w.humidity > 85 ? 1 : 0;
    }
    default:
      return null;
  }
}

/** WMO 4677 present weather from the hour's weather (a simplified choice). */
function presentWeather(w: Weather, precipitation: number): number {
  if (precipitation > 0) {
    if (w.thunder >= 30) return 95;
    const heavy = precipitation >= 4 ? 2 : precipitation >= 1 ? 1 : 0;
    if (w.convective) return w.frozenPart >= 70 ? 85 : 80 + heavy;
    if (w.frozenPart >= 70) return 71 + 2 * heavy;
    if (w.frozenPart >= 30) return 68;
    return 61 + 2 * heavy;
  }
  if (w.visibility < 1) return 45;
  if (w.visibility < 5) return 10;
  return w.cloudTotal >= 6 ? 3 : 0;
}

/** A daily (from, to, value) aggregate: the UTC day [from, from + 24 h), or 06–06 for precipitation. */
function dailyValue(sw: StationWeather, def: ParameterDef, from: number): number {
  if (def.id === 5) {
    let sum = 0;
    for (let k = 1; k <= 24; k++) sum += sw.precipitationHour(from + k * HOUR_MS);
    return sum;
  }
  const temps = Array.from({ length: 24 }, (_, k) => sw.at(from + (k + 1) * HOUR_MS).temperature);
  if (def.id === 19) return Math.min(...temps) - 0.4;
  if (def.id === 20) return Math.max(...temps) + 0.4;
  return temps.reduce((a, b) => a + b, 0) / temps.length;
}

function monthlyValue(sw: StationWeather, def: ParameterDef, from: number, to: number): number {
  let sum = 0;
  let n = 0;
  // Sampled every 3 hours: enough for a mean, scaled up for a sum.
  for (let t = from + 3 * HOUR_MS; t <= to; t += 3 * HOUR_MS) {
    sum += def.id === 23 ? sw.precipitationHour(t) * 3 : sw.at(t).temperature;
    n++;
  }
  return def.id === 23 ? sum : sum / Math.max(1, n);
}

function format(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Observation times of a cadence in (from, to]. */
function times(cadence: Cadence, def: ParameterDef, from: number, to: number): number[] {
  const out: number[] = [];
  if (cadence === 'hourly' || cadence === 'quarter') {
    const step = cadence === 'quarter' ? 15 * 60_000 : HOUR_MS;
    for (let t = Math.floor(from / step) * step + step; t <= to; t += step) out.push(t);
  } else if (cadence === 'daily-at') {
    for (let day = Math.floor(from / DAY_MS) * DAY_MS; day <= to; day += DAY_MS) {
      for (const h of def.hours ?? [6]) {
        const t = day + h * HOUR_MS;
        if (t > from && t <= to) out.push(t);
      }
    }
  }
  return out;
}

/**
 * A station's items for a parameter in the window (from, to], oldest first. `now` decides the
 * quality code: values of the last day are only coarsely checked (Y), older ones mostly approved (G).
 * About 0.4 % of values are missing (not published), as values failing the checks are.
 */
export function observations(
  sw: StationWeather,
  def: ParameterDef,
  from: number,
  to: number,
  now: number,
): ObservationItem[] {
  const quality = (t: number) => (now - t < DAY_MS || sw.noise(def.id, t, 3) < -0.47 ? 'Y' : 'G');
  const dropped = (t: number) => sw.noise(def.id, t, 2) < -0.496;
  if (def.cadence === 'daily') {
    const offset = def.id === 5 ? 6 * HOUR_MS : 0;
    const out: ObservationItem[] = [];
    for (
      let start = Math.floor((from - offset) / DAY_MS) * DAY_MS + offset;
      start + DAY_MS <= to;
      start += DAY_MS
    ) {
      const end = start + DAY_MS;
      if (end <= from || dropped(end)) continue;
      const value = format(dailyValue(sw, def, start), def.decimals);
      out.push({
        from: start,
        to: end,
        ref: isoDate(def.id === 5 ? end : start),
        value,
        quality: quality(end),
      });
    }
    return out;
  }
  if (def.cadence === 'monthly') {
    const out: ObservationItem[] = [];
    const d = new Date(from);
    let start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    if (start < from) start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    for (;;) {
      const s = new Date(start);
      const end = Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 1);
      if (end > to) break;
      const value = format(monthlyValue(sw, def, start, end), def.decimals);
      out.push({ from: start, to: end, ref: isoDate(start).slice(0, 7), value, quality: quality(end) });
      start = end;
    }
    return out;
  }
  const out: ObservationItem[] = [];
  for (const t of times(def.cadence, def, from, to)) {
    if (dropped(t)) continue;
    const v = instantValue(sw, def, t);
    if (v === null) continue;
    out.push({ date: t, value: format(v, def.decimals), quality: quality(t) });
  }
  return out;
}
