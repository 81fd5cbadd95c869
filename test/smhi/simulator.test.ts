/**
 * The SMHI offline simulator: conformance with the recorded responses, the behaviour it reproduces
 * (grid snapping, run cadence and time axis, sentinels, metobs periods and quirks, warnings by date),
 * physical plausibility of its synthetic values, determinism, and the real SMHI client on top of it.
 */
import { readFileSync } from 'node:fs';
import Keyv from 'keyv';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { codeForUpstream, UpstreamError } from '../../kit/errors.ts';
import { haversineKm, pointInPolygon } from '../../kit/geo.ts';
import { silentLogger } from '../../kit/logger.ts';
import { type AgencySimulator, OfflineDispatcher, type OfflineFaults } from '../../kit/simulator.ts';
import { geography } from '../../kit/sweden.ts';
import { createUpstream, type Upstream } from '../../kit/upstream.ts';
import { createSmhiClient } from '../../subgraphs/smhi/client.ts';
import {
  forecastFor,
  GRID_ANCHOR,
  GRID_KM,
  latestRun,
  snapToGrid,
  timeAxis,
} from '../../subgraphs/smhi/simulator/forecast.ts';
import { createSmhiSimulator } from '../../subgraphs/smhi/simulator/index.ts';
import { latestObservationHour } from '../../subgraphs/smhi/simulator/observations.ts';
import { createWarnings } from '../../subgraphs/smhi/simulator/warnings.ts';
import { shapeDifferences } from '../helpers/shape.ts';

const CONFIG = {
  SMHI_FORECAST_URL: 'https://opendata-download-metfcst.smhi.se/api/category/snow1g/version/1',
  SMHI_METOBS_URL: 'https://opendata-download-metobs.smhi.se/api/version/1.0',
  SMHI_WARNINGS_URL: 'https://opendata-download-warnings.smhi.se/ibww/api/version/1',
};
const FORECAST = CONFIG.SMHI_FORECAST_URL;
const METOBS = CONFIG.SMHI_METOBS_URL;
const WARNINGS = CONFIG.SMHI_WARNINGS_URL;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The repo's copies of the recorded responses (byte copies of shared/fixtures/recorded/smhi). */
const FIXTURES = 'test/fixtures/smhi';
const fixture = (name: string) => `${FIXTURES}/${name}`;
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
/** The JSON body of a raw HTTP recording (`*_http.txt`). */
const httpBody = (path: string): unknown => {
  const text = readFileSync(path, 'utf8');
  return JSON.parse(text.slice(text.search(/\r?\n\r?\n/)).trim());
};

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  body: unknown;
}

const sims: OfflineDispatcher[] = [];
afterAll(async () => {
  for (const d of sims.splice(0)) await d.close();
});

function simulator(): AgencySimulator {
  return createSmhiSimulator({ config: CONFIG, now: () => 0 });
}

/** GET through the offline dispatcher (its routing included) at the clock `now`. */
async function get(url: string, now: number, sim = simulator(), faults?: OfflineFaults): Promise<Answer> {
  const dispatcher = new OfflineDispatcher({ simulators: [sim], now: () => now, faults });
  sims.push(dispatcher);
  const res = await request(url, { dispatcher });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // text/plain errors
  }
  return { status: res.statusCode, headers: res.headers as Record<string, string>, text, body };
}

const pointUrl = (lat: number, lon: number) =>
  `${FORECAST}/geotype/point/lon/${Math.round(lon * 1e6) / 1e6}/lat/${Math.round(lat * 1e6) / 1e6}/data.json`;

interface Snow1g {
  createdTime: string;
  referenceTime: string;
  geometry: { type: string; coordinates: [number, number] };
  timeSeries: Array<{ time: string; intervalParametersStartTime: string; data: Record<string, number> }>;
}
const forecastAt = async (lat: number, lon: number, now: number) =>
  (await get(pointUrl(lat, lon), now)).body as Snow1g;

const RECORDED_NOW = Date.parse('2026-04-02T11:05:00Z');
const NOW = Date.parse('2026-11-30T14:35:00Z');

// ---------------------------------------------------------------------------------------------
// Conformance: every recorded response of an API the subgraph calls, asked again of the simulator.
// (Not compared: pmp3g (retired), fwif1g, MESAN and STRÅNG — the subgraph calls none of them.)
// ---------------------------------------------------------------------------------------------

describe('conformance with the recorded SMHI responses', () => {
  it('snow1g point forecast: same shape as the recording, for the recorded request', async () => {
    const recorded = readJson(fixture('forecast_snow1g_v1_point_pysmhi_2026-04-02.json')) as Snow1g;
    const answer = await get(`${FORECAST}/geotype/point/lon/16.15035/lat/58.570784/data.json`, RECORDED_NOW);
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, recorded)).toEqual([]);
    const body = answer.body as Snow1g;
    // Every step carries exactly the recording's 24 keys, with the same JSON types.
    for (const step of body.timeSeries) {
      expect(Object.keys(step.data)).toEqual(Object.keys(recorded.timeSeries[0]!.data));
      for (const v of Object.values(step.data)) expect(typeof v).toBe('number');
    }
    // The recorded request snaps to the recorded grid point.
    expect(body.geometry).toEqual(recorded.geometry);
  });

  it('the time axis for the recorded run equals the recorded one, step by step', () => {
    const recorded = readJson(fixture('forecast_snow1g_v1_point_pysmhi_2026-04-02.json')) as Snow1g;
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const axis = timeAxis(Date.parse(recorded.referenceTime)).map((s) => [iso(s.time), iso(s.start)]);
    expect(axis).toEqual(recorded.timeSeries.map((s) => [s.time, s.intervalParametersStartTime]));
  });

  it('IBW warning.json: synthetic warnings and the recorded one have the recorded shape', async () => {
    const recorded = readJson(fixture('warnings_ibw_v1_warning_polygon_single_pysmhi.json')) as Json[];
    // approximateEnd: documented as optional (smhi.md §7); the recording's area has none, the
    // simulator's meteorological warnings do. Coordinates: the recording is a Polygon, counties with
    // islands are MultiPolygons (one nesting level more), as in SMHI's own multipolygon warnings;
    // their structure is checked below.
    const optional = ['[].warningAreas[].approximateEnd'];
    const opaque = ['[].warningAreas[].area.geometry.coordinates'];
    let compared = 0;
    for (let day = 0; day < 60; day++) {
      const answer = await get(`${WARNINGS}/warning.json`, Date.parse('2027-01-01T12:00:00Z') + day * DAY);
      expect(answer.status).toBe(200);
      expect(shapeDifferences(answer.body, recorded, { optional, opaque })).toEqual([]);
      compared += (answer.body as unknown[]).length;
      for (const w of answer.body as Array<{ warningAreas: Array<{ area: { geometry: Json } }> }>) {
        for (const { area } of w.warningAreas) {
          const depth = area.geometry['type'] === 'Polygon' ? 3 : 4;
          let c: unknown = area.geometry['coordinates'];
          for (let i = 0; i < depth - 1; i++) c = (c as unknown[])[0];
          expect((c as unknown[]).map((n) => typeof n)).toEqual(['number', 'number']);
          expect(['Polygon', 'MultiPolygon']).toContain(area.geometry['type']);
        }
      }
    }
    expect(compared).toBeGreaterThan(5);
    // The recorded warning itself, in its window: unaltered.
    const inWindow = await get(`${WARNINGS}/warning.json`, Date.parse('2026-08-20T12:00:00Z'));
    expect((inWindow.body as Json[]).filter((w) => w['id'] === 3122)).toEqual(recorded);
  });

  const metobs: Array<[string, string]> = [
    ['metobs_stations_ifk-smhi_http.txt', `${METOBS}/parameter/1.json`],
    ['metobs_periods_ifk-smhi_http.txt', `${METOBS}/parameter/1/station/1.json`],
    ['metobs_periods_set_ifk-smhi_http.txt', `${METOBS}/parameter/1/station-set/all.json`],
    ['metobs_data_ifk-smhi_http.txt', `${METOBS}/parameter/1/station/1/period/corrected-archive.json`],
    ['metobs_parameters_ifk-smhi_http.txt', 'https://opendata-download-metobs.smhi.se/api/version/1.0.json'],
    ['metobs_versions_ifk-smhi_http.txt', 'https://opendata-download-metobs.smhi.se/api.json'],
  ];
  it.each(metobs)('metobs %s: same shape for the recorded request', async (file, url) => {
    const answer = await get(url, NOW);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(answer.headers['cache-control']).toBe('max-age=60');
    expect(shapeDifferences(answer.body, httpBody(fixture(file)))).toEqual([]);
  });

  it('Akalla (station 1) is served with its recorded metadata', async () => {
    const recorded = httpBody(fixture('metobs_stations_ifk-smhi_http.txt')) as { station: Json[] };
    const listing = (await get(`${METOBS}/parameter/1.json`, NOW)).body as { station: Json[] };
    const akalla = listing.station.find((s) => s['key'] === '1')!;
    const { link: _a, ...mine } = akalla;
    const { link: _b, ...real } = recorded.station[0]!;
    expect(mine).toEqual(real);
    const station = (await get(`${METOBS}/parameter/1/station/1.json`, NOW)).body as Json;
    const recordedStation = httpBody(fixture('metobs_periods_ifk-smhi_http.txt')) as Json;
    for (const key of ['summary', 'from', 'to', 'position', 'active', 'owner', 'ownerCategory', 'updated']) {
      expect(station[key]).toEqual(recordedStation[key]);
    }
  });

  // The metobs data files were never recorded; the repo's synthetic fixtures follow the shapes the
  // reference documents (smhi.md §1.3), and the parsers are tested on them: the simulator must match.
  const documented: Array<[string, string]> = [
    ['metobs_stations_p1_synthetic.json', `${METOBS}/parameter/1.json`],
    [
      'metobs_latest_hour_all_p1_synthetic.json',
      `${METOBS}/parameter/1/station-set/all/period/latest-hour/data.json`,
    ],
    [
      'metobs_station_98210_p1_latest_day_synthetic.json',
      `${METOBS}/parameter/1/station/98210/period/latest-day/data.json`,
    ],
  ];
  it.each(documented)('metobs data in the documented shape of %s', async (file, url) => {
    const answer = await get(url, NOW);
    expect(answer.status).toBe(200);
    expect(shapeDifferences(answer.body, readJson(`${FIXTURES}/${file}`))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// snow1g
// ---------------------------------------------------------------------------------------------

describe('snow1g point forecast', () => {
  it('answers for a grid point near the requested one, as the real API does', async () => {
    const places: Array<[number, number]> = [
      [59.3293, 18.0686],
      [67.8558, 20.2253],
      [55.605, 13.0038],
      [62.3908, 17.3069],
    ];
    for (const [lat, lon] of places) {
      const body = await forecastAt(lat, lon, NOW);
      const [gLon, gLat] = body.geometry.coordinates;
      expect([gLon, gLat]).not.toEqual([lon, lat]);
      // The nearest point of a 2.5 km grid: at most half a diagonal away.
      expect(haversineKm(lat, lon, gLat, gLon)).toBeLessThanOrEqual((GRID_KM * Math.SQRT2) / 2 + 0.01);
      // A grid point snaps to itself, and a point close to it answers identically.
      const again = await forecastAt(gLat, gLon, NOW);
      expect(again.geometry.coordinates).toEqual([gLon, gLat]);
      expect(again).toEqual(await forecastAt(gLat + 0.002, gLon - 0.002, NOW));
    }
    expect(GRID_ANCHOR).toEqual({ longitude: 16.158549, latitude: 58.577821 });
  });

  it('is anchored at the clock: latest published run, first step within an hour of now, 10 days', async () => {
    for (let k = 0; k < 12; k++) {
      const now = Date.parse('2026-11-30T00:00:00Z') + k * 2 * HOUR + k * 7 * 60_000 + k * 1000;
      const body = await forecastAt(57.7089, 11.9746, now);
      const ref = Date.parse(body.referenceTime);
      const created = Date.parse(body.createdTime);
      const first = Date.parse(body.timeSeries[0]!.time);
      const last = Date.parse(body.timeSeries.at(-1)!.time);
      expect(created).toBeLessThanOrEqual(now);
      expect(created - ref).toBeGreaterThanOrEqual(15 * 60_000);
      expect(created - ref).toBeLessThan(17 * 60_000);
      // The latest run published by now: the next one is not out yet.
      expect(latestRun(now).referenceTime).toBe(ref);
      expect(ref + HOUR + 17 * 60_000).toBeGreaterThan(now);
      expect(first).toBe(Math.floor(ref / HOUR) * HOUR + HOUR);
      expect(first).toBeGreaterThan(now - HOUR);
      expect(first).toBeLessThanOrEqual(now + HOUR);
      expect(last - first).toBeGreaterThanOrEqual(10 * DAY);
      expect(last - first).toBeLessThan(10 * DAY + 12 * HOUR);
      // 83 steps for the recorded run; one more or less as the 6-hour phase lines up with 00/12 UTC.
      expect(body.timeSeries.length).toBeGreaterThanOrEqual(81);
      expect(body.timeSeries.length).toBeLessThanOrEqual(85);
      // Never a series from another month or year.
      expect(new Date(first).toISOString().slice(0, 7)).toBe(new Date(now).toISOString().slice(0, 7));
      // 1-hour steps first, then 2/6/12 h; each interval ends where the next begins.
      const lengths = body.timeSeries.map(
        (s) => (Date.parse(s.time) - Date.parse(s.intervalParametersStartTime)) / HOUR,
      );
      expect(lengths.join(',')).toMatch(/^(1,){59}1,[1-6],(6,)+(12,)+12$/);
      for (let i = 1; i < body.timeSeries.length; i++) {
        expect(body.timeSeries[i]!.intervalParametersStartTime).toBe(body.timeSeries[i - 1]!.time);
      }
    }
  });

  it('values depend on place and valid time only, not on when they are asked for', async () => {
    const a = await forecastAt(59.3293, 18.0686, NOW);
    const b = await forecastAt(59.3293, 18.0686, NOW + 3 * HOUR);
    expect(a.referenceTime).not.toBe(b.referenceTime);
    const instant = [
      'air_temperature',
      'wind_speed',
      'wind_from_direction',
      'relative_humidity',
      'cloud_area_fraction',
    ];
    const byTime = new Map(a.timeSeries.map((s) => [s.time, s.data]));
    let shared = 0;
    for (const step of b.timeSeries) {
      const other = byTime.get(step.time);
      if (!other) continue;
      shared++;
      for (const key of instant) expect(step.data[key]).toBe(other[key]);
    }
    expect(shared).toBeGreaterThan(50);
  });

  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const temps = (body: Snow1g) => body.timeSeries.slice(0, 24).map((s) => s.data['air_temperature']!);

  it('is colder in Kiruna in January than in Malmö in July, and warmer by day than by night', async () => {
    const kiruna = await forecastAt(67.8558, 20.2253, Date.parse('2027-01-15T12:00:00Z'));
    const malmo = await forecastAt(55.605, 13.0038, Date.parse('2026-07-15T12:00:00Z'));
    expect(mean(temps(kiruna))).toBeLessThan(-5);
    expect(mean(temps(malmo))).toBeGreaterThan(10);
    expect(Math.max(...temps(kiruna))).toBeLessThan(Math.min(...temps(malmo)));
    // Diurnal cycle in July: the 1-hour steps' afternoons are warmer than their nights.
    const hourly = malmo.timeSeries.slice(0, 60);
    const at = (hours: number[]) =>
      mean(
        hourly
          .filter((s) => hours.includes(new Date(s.time).getUTCHours()))
          .map((s) => s.data['air_temperature']!),
      );
    expect(at([12, 13, 14])).toBeGreaterThan(at([1, 2, 3]) + 2);
    // Seasons: Stockholm's July is much warmer than its January (three days of each).
    const month = async (yearMonth: string) => {
      const days = ['05', '15', '25'].map((d) =>
        forecastAt(59.3293, 18.0686, Date.parse(`${yearMonth}-${d}T12:00:00Z`)),
      );
      return mean((await Promise.all(days)).flatMap(temps));
    };
    expect(await month('2026-07')).toBeGreaterThan((await month('2027-01')) + 10);
  });

  it('keeps its variables consistent with each other over a year of forecasts', async () => {
    const seen = { snowBelowZero: 0, rain: 0, thunder: 0, sentinel9999: 0, sentinel8: 0, frozen9: 0, fog: 0 };
    const places: Array<[number, number]> = [
      [55.605, 13.0038],
      [59.3293, 18.0686],
      [63.1792, 14.6357],
      [67.8558, 20.2253],
    ];
    for (let day = 0; day < 365; day += 9) {
      for (const [lat, lon] of places) {
        // The generator directly (the HTTP path is covered above): 160 forecasts.
        const body = forecastFor(
          snapToGrid(lat, lon),
          latestRun(Date.parse('2026-01-03T09:40:00Z') + day * DAY),
        );
        for (const step of body.timeSeries) {
          const d: Record<string, number> = step.data;
          const hours = (Date.parse(step.time) - Date.parse(step.intervalParametersStartTime)) / HOUR;
          const sym = d['symbol_code']!;
          expect(Number.isInteger(sym) && sym >= 1 && sym <= 27).toBe(true);
          expect(d['wind_speed_of_gust']).toBeGreaterThanOrEqual(d['wind_speed']!);
          expect(d['wind_from_direction']).toBeGreaterThanOrEqual(0);
          expect(d['wind_from_direction']).toBeLessThan(360);
          expect(d['relative_humidity']).toBeGreaterThanOrEqual(0);
          expect(d['relative_humidity']).toBeLessThanOrEqual(100);
          expect(d['air_pressure_at_mean_sea_level']).toBeGreaterThan(940);
          expect(d['air_pressure_at_mean_sea_level']).toBeLessThan(1070);
          const total = d['cloud_area_fraction']!;
          for (const layer of ['low', 'medium', 'high']) {
            expect(d[`${layer}_type_cloud_area_fraction`]).toBeLessThanOrEqual(total);
          }
          // Cloud base/top sentinels: 9999 without cloud, −8 for thin cloud in long steps.
          if (total === 0) {
            expect([d['cloud_base_altitude'], d['cloud_top_altitude']]).toEqual([9999, 9999]);
            seen.sentinel9999++;
          } else if (d['cloud_base_altitude'] === -8) {
            expect(hours).toBeGreaterThanOrEqual(6);
            expect(total).toBeLessThanOrEqual(2);
            seen.sentinel8++;
          } else {
            expect(d['cloud_top_altitude']).toBeGreaterThan(d['cloud_base_altitude']!);
          }
          // No precipitation: frozen part −9 and type 0, together.
          expect(d['precipitation_frozen_part'] === -9).toBe(
            d['predominant_precipitation_type_at_surface'] === 0,
          );
          if (d['precipitation_frozen_part'] === -9) {
            seen.frozen9++;
            expect(d['probability_of_frozen_precipitation']).toBe(0);
          }
          expect(d['precipitation_amount_max']).toBeGreaterThanOrEqual(d['precipitation_amount_median']!);
          // Symbols agree with the rest of the step.
          const snow = (sym >= 15 && sym <= 17) || sym >= 25;
          const rain = (sym >= 8 && sym <= 10) || (sym >= 18 && sym <= 20);
          if (snow) {
            expect(d['precipitation_frozen_part']).toBeGreaterThanOrEqual(70);
            if (d['air_temperature']! < 0) seen.snowBelowZero++;
          }
          if (rain) {
            expect(d['precipitation_frozen_part']).toBeLessThan(30);
            expect(d['air_temperature']).toBeGreaterThan(0);
            seen.rain++;
          }
          if (sym === 11 || sym === 21) {
            expect(d['thunderstorm_probability']).toBeGreaterThanOrEqual(30);
            seen.thunder++;
          }
          if (sym >= 8) expect(d['probability_of_precipitation']).toBeGreaterThanOrEqual(45);
          if (sym <= 6) {
            // Without precipitation the symbol says how cloudy it is.
            const octas: Record<number, number[]> = {
              1: [0, 1],
              2: [2],
              3: [3, 4, 5],
              4: [6],
              5: [7],
              6: [8],
            };
            expect(octas[sym]).toContain(total);
          }
          if (sym === 7) seen.fog++;
        }
      }
    }
    expect(seen.snowBelowZero).toBeGreaterThan(10);
    expect(seen.rain).toBeGreaterThan(10);
    expect(seen.thunder).toBeGreaterThan(0);
    expect(seen.sentinel9999).toBeGreaterThan(10);
    expect(seen.sentinel8).toBeGreaterThan(0);
    expect(seen.frozen9).toBeGreaterThan(100);
  });

  it('answers SMHI errors: 400 outside the model area, 404 for over 6 decimals or another path', async () => {
    const outside = await get(`${FORECAST}/geotype/point/lon/40/lat/40/data.json`, NOW);
    expect(outside.status).toBe(400);
    expect(outside.headers['content-type']).toBe('text/plain');
    expect(outside.text).toBe('FIELD POINT OUT OF BOUNDS');
    expect((await get(`${FORECAST}/geotype/point/lon/18.1234567/lat/59.3/data.json`, NOW)).status).toBe(404);
    expect((await get(`${FORECAST}/geotype/point/lon/abc/lat/59.3/data.json`, NOW)).status).toBe(404);
    expect((await get(`${FORECAST}/geotype/multipoint.json`, NOW)).status).toBe(404);
    // Oslo and Helsinki are inside the model area: forecasts, not errors.
    expect((await get(pointUrl(59.91, 10.75), NOW)).status).toBe(200);
    expect((await get(pointUrl(60.17, 24.94), NOW)).status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// metobs
// ---------------------------------------------------------------------------------------------

interface Listed {
  key: string;
  id: number;
  name: string;
  latitude: number;
  longitude: number;
  height: number;
  active: boolean;
  from: number;
  to: number;
  owner: string;
}
interface DataFile {
  value: Array<{
    date?: number;
    from?: number;
    to?: number;
    ref?: string;
    value: string;
    quality: string;
  }> | null;
  period: { key: string; from: number; to: number };
  parameter: { unit: string };
}

describe('metobs', () => {
  it('lists at least 150 active stations for air temperature, spread over all of Sweden', async () => {
    const { station } = (await get(`${METOBS}/parameter/1.json`, NOW)).body as { station: Listed[] };
    const active = station.filter((s) => s.active);
    expect(active.length).toBeGreaterThanOrEqual(150);
    expect(station.some((s) => !s.active)).toBe(true);
    const lats = active.map((s) => s.latitude);
    expect(Math.min(...lats)).toBeLessThan(56);
    expect(Math.max(...lats)).toBeGreaterThan(67);
    expect(lats.every((lat) => lat >= 55 && lat <= 69.5)).toBe(true);
    // Every latitude band of Sweden has stations.
    for (let band = 55; band < 68; band++) {
      expect(active.some((s) => s.latitude >= band && s.latitude < band + 1)).toBe(true);
    }
    // Every county too.
    const { counties, municipalities } = geography();
    for (const county of counties.values()) {
      const members = county.municipalityCodes.map((c) => municipalities.get(c)!);
      expect(
        active.some((s) => members.some((m) => pointInPolygon(m.geometry, s.longitude, s.latitude))),
      ).toBe(true);
    }
    expect(new Set(station.map((s) => s.key)).size).toBe(station.length);
    for (const s of active) expect(s.to).toBe(latestObservationHour(NOW));
    // The fixture's real station ids and names.
    expect(station.find((s) => s.key === '98210')?.name).toBe('Stockholm-Observatoriekullen A');
  });

  it('serves the periods a station has: closed stations only the CSV archive', async () => {
    const doc = (await get(`${METOBS}/parameter/1/station/98210.json`, NOW)).body as {
      period: Array<{ key: string }>;
    };
    expect(doc.period.map((p) => p.key)).toEqual([
      'latest-hour',
      'latest-day',
      'latest-months',
      'corrected-archive',
    ]);
    expect((await get(`${METOBS}/parameter/1/station/1/period/latest-hour/data.json`, NOW)).status).toBe(404);
    expect(
      (await get(`${METOBS}/parameter/1/station/1/period/corrected-archive/data.json`, NOW)).status,
    ).toBe(404);
    expect(
      (await get(`${METOBS}/parameter/1/station/98210/period/corrected-archive/data.json`, NOW)).status,
    ).toBe(404);
    expect((await get(`${METOBS}/parameter/99.json`, NOW)).status).toBe(404);
    expect((await get(`${METOBS}/parameter/1/station/123.json`, NOW)).status).toBe(404);
    // Daily parameters have no latest hour and no all-stations set.
    expect(
      (await get(`${METOBS}/parameter/2/station-set/all/period/latest-hour/data.json`, NOW)).status,
    ).toBe(404);
    expect((await get(`${METOBS}/parameter/2/station/98210/period/latest-hour/data.json`, NOW)).status).toBe(
      404,
    );
    expect((await get(`${METOBS}/parameter/1/station/98210.xml`, NOW)).status).toBe(404);
    // `latest` is an alias of 1.0.
    const latest = await get(
      'https://opendata-download-metobs.smhi.se/api/version/latest/parameter/1/station/98210.json',
      NOW,
    );
    expect(latest.body).toEqual(doc);
  });

  it('gives values as strings with epoch-ms times, for the latest hour, day and months', async () => {
    const latest = latestObservationHour(NOW);
    const hour = (await get(`${METOBS}/parameter/1/station/98210/period/latest-hour/data.json`, NOW))
      .body as DataFile;
    expect(hour.value).toHaveLength(1);
    expect(hour.value![0]!.date).toBe(latest);
    expect(hour.value![0]!.value).toMatch(/^-?\d+\.\d$/);
    expect(hour.parameter.unit).toBe('degree celsius');
    const day = (await get(`${METOBS}/parameter/1/station/98210/period/latest-day/data.json`, NOW))
      .body as DataFile;
    const dates = day.value!.map((v) => v.date!);
    expect(dates.length).toBeGreaterThanOrEqual(23);
    expect(dates.at(-1)).toBe(latest);
    expect(dates[0]).toBeGreaterThan(latest - DAY);
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);
    const months = (await get(`${METOBS}/parameter/1/station/98210/period/latest-months/data.json`, NOW))
      .body as DataFile;
    expect(months.period.from).toBe(Date.parse('2026-08-01T00:00:00Z'));
    expect(months.value!.length).toBeGreaterThan(2000);
    expect(months.value!.every((v) => typeof v.value === 'string' && ['G', 'Y'].includes(v.quality))).toBe(
      true,
    );
    // Daily means carry ref/from/to instead of date.
    const daily = (await get(`${METOBS}/parameter/2/station/98210/period/latest-months/data.json`, NOW))
      .body as DataFile;
    const last = daily.value!.at(-1)!;
    expect(last.date).toBeUndefined();
    expect(last.to! - last.from!).toBe(DAY);
    expect(last.ref).toBe(new Date(last.from!).toISOString().slice(0, 10));
    expect(daily.value!.length).toBeGreaterThan(80);
  });

  it('reports the same weather as the forecast generator for that place and hour', async () => {
    const day = (await get(`${METOBS}/parameter/1/station/98210/period/latest-day/data.json`, NOW))
      .body as DataFile;
    // The forecast issued a day earlier covers the observed hours with 1-hour steps.
    const forecast = await forecastAt(59.3417, 18.0549, NOW - DAY);
    const byTime = new Map(forecast.timeSeries.map((s) => [Date.parse(s.time), s.data['air_temperature']!]));
    const diffs = day.value!.flatMap((v) =>
      byTime.has(v.date!) ? [Math.abs(Number(v.value) - byTime.get(v.date!)!)] : [],
    );
    expect(diffs.length).toBeGreaterThan(15);
    expect(diffs.reduce((a, b) => a + b, 0) / diffs.length).toBeLessThan(1.5);
  });

  it('gives every active station’s latest hour in one file, with SMHI’s [null] for silent stations', async () => {
    let silent = 0;
    for (let h = 0; h < 4; h++) {
      const now = NOW + h * HOUR;
      const set = (await get(`${METOBS}/parameter/1/station-set/all/period/latest-hour/data.json`, now))
        .body as {
        station: Array<{ key: string; value: Array<{ date: number; value: string } | null> }>;
      };
      expect(set.station.length).toBeGreaterThanOrEqual(150);
      for (const s of set.station) {
        const first = s.value[0];
        if (!first) {
          expect(s.value).toEqual([null]);
          silent++;
        } else {
          expect(first.date).toBe(latestObservationHour(now));
          expect(typeof first.value).toBe('string');
        }
      }
    }
    expect(silent).toBeGreaterThan(0);
  });

  it('plausible values for the other current-weather parameters', async () => {
    const set = async (p: number) =>
      (
        (await get(`${METOBS}/parameter/${p}/station-set/all/period/latest-hour/data.json`, NOW)).body as {
          station: Array<{ value: Array<{ value: string } | null> }>;
        }
      ).station.flatMap((s) => (s.value[0] ? [Number(s.value[0].value)] : []));
    const within = (xs: number[], lo: number, hi: number) => xs.every((x) => x >= lo && x <= hi);
    expect(within(await set(3), 0, 360)).toBe(true);
    expect(within(await set(4), 0, 40)).toBe(true);
    expect(within(await set(6), 0, 100)).toBe(true);
    expect(within(await set(7), 0, 50)).toBe(true);
    expect(within(await set(9), 940, 1070)).toBe(true);
    const speeds = await set(4);
    expect(new Set(speeds).size).toBeGreaterThan(10);
  });
});

// ---------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------

describe('IBW warnings', () => {
  interface Warning {
    id: number;
    event: { code: string; sv: string; en: string };
    warningAreas: Array<{
      warningLevel: { code: string; sv: string; en: string };
      affectedAreas: Array<{ id: number; sv: string; en: string }>;
      descriptions: Array<{ text: { sv: string; en: string } }>;
      approximateStart: string;
      approximateEnd?: string;
      published: string;
      area: { geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: never } };
    }>;
  }

  it('depend on the date: some days none, others warnings for counties, outlined by the county', async () => {
    const { counties, municipalities } = geography();
    let empty = 0;
    let withWarnings = 0;
    for (let day = 0; day < 90; day++) {
      const now = Date.parse('2027-01-01T10:00:00Z') + day * 4 * DAY;
      const list = (await get(`${WARNINGS}/warning.json`, now)).body as Warning[];
      if (list.length === 0) empty++;
      else withWarnings++;
      for (const w of list) {
        for (const area of w.warningAreas) {
          expect(['MESSAGE', 'YELLOW', 'ORANGE', 'RED']).toContain(area.warningLevel.code);
          expect(Date.parse(area.published)).toBeLessThanOrEqual(now);
          if (area.approximateEnd) expect(Date.parse(area.approximateEnd)).toBeGreaterThan(now);
          for (const d of area.descriptions) expect(d.text.sv.length * d.text.en.length).toBeGreaterThan(0);
          const county = counties.get(String(area.affectedAreas[0]!.id).padStart(2, '0'))!;
          expect(area.affectedAreas[0]!.sv).toBe(county.name);
          // The outline covers most of the county's municipalities' representative points.
          const inside = county.municipalityCodes.filter((c) => {
            const m = municipalities.get(c)!;
            return pointInPolygon(area.area.geometry, m.centroid.longitude, m.centroid.latitude);
          });
          expect(inside.length / county.municipalityCodes.length).toBeGreaterThan(0.6);
        }
      }
    }
    expect(empty).toBeGreaterThan(10);
    expect(withWarnings).toBeGreaterThan(10);
  });

  it('fit the season: snow only in winter, water shortage only in summer', () => {
    const { episodeOn } = createWarnings();
    for (let day = 0; day < 730; day++) {
      const start = Date.parse('2026-01-01T00:00:00Z') + day * DAY;
      const episode = episodeOn(start);
      if (!episode) continue;
      const code = (episode.warning as unknown as Warning).event.code;
      const month = new Date(start).getUTCMonth();
      if (code === 'SNOW') expect([0, 1, 2, 10, 11]).toContain(month);
      if (code === 'WATER_SHORTAGE') expect([5, 6, 7, 8]).toContain(month);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------------

describe('determinism', () => {
  it('two simulator instances with the same clock answer byte-identical bodies', async () => {
    const urls = [
      pointUrl(59.3293, 18.0686),
      pointUrl(67.8558, 20.2253),
      `${METOBS}/parameter/1.json`,
      `${METOBS}/parameter/4/station-set/all/period/latest-hour/data.json`,
      `${METOBS}/parameter/1/station/98210/period/latest-day/data.json`,
      `${WARNINGS}/warning.json`,
    ];
    for (const url of urls) {
      const a = await get(url, NOW, simulator());
      const b = await get(url, NOW, simulator());
      expect(a.status).toBe(200);
      expect(a.text).toBe(b.text);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The real SMHI client on the simulator
// ---------------------------------------------------------------------------------------------

describe('the SMHI client against the simulator', () => {
  const opened: Upstream[] = [];
  afterAll(async () => {
    for (const u of opened.splice(0)) await u.close();
  });
  function client(now: number, faults?: OfflineFaults) {
    const dispatcher = new OfflineDispatcher({ simulators: [simulator()], now: () => now, faults });
    sims.push(dispatcher);
    const up = (baseUrl: string) => {
      const u = createUpstream({
        agency: 'smhi',
        baseUrl,
        cache: new Keyv(),
        logger: silentLogger,
        mode: 'offline',
        dispatcher,
        now: () => now,
        sleep: async () => {},
      });
      opened.push(u);
      return u;
    };
    return createSmhiClient({ forecast: up(FORECAST), metobs: up(METOBS), warnings: up(WARNINGS) });
  }

  it('parses every client method’s answer', async () => {
    const c = client(NOW);
    const forecast = (await c.forecast(59.3293, 18.0686))!;
    expect(forecast.steps.length).toBeGreaterThanOrEqual(81);
    expect(forecast.point).not.toBeNull();
    expect(forecast.steps.every((s) => s.airTemperature !== null && s.symbol !== null)).toBe(true);
    expect(forecast.steps.some((s) => s.cloudBase === null)).toBe(
      forecast.steps.some((s) => s.cloudCover === 0),
    );
    const list = (await c.stationList(1))!;
    expect(list.stations.filter((s) => s.active).length).toBeGreaterThanOrEqual(150);
    const data = (await c.stationData(1, '98210', 'latest-day'))!;
    expect(data.values.length).toBeGreaterThanOrEqual(23);
    expect(data.station?.latitude).toBe(59.3417);
    expect(data.unit).toBe('degree celsius');
    const latestHour = (await c.latestHour(1))!;
    expect(latestHour.stations.length).toBeGreaterThanOrEqual(150);
    expect(latestHour.stations.filter((s) => s.latest !== null).length).toBeGreaterThan(140);
    expect(Array.isArray(await c.warnings())).toBe(true);
  });

  it('maps the simulator’s 404s to null and its 400 to UPSTREAM_BAD_RESPONSE', async () => {
    const c = client(NOW);
    expect(await c.stationList(99)).toBeNull();
    expect(await c.stationData(1, '1', 'latest-hour')).toBeNull();
    expect(await c.stationData(1, '12345678', 'latest-day')).toBeNull();
    const err = await c.forecast(40, 40).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(400);
    expect(codeForUpstream(err as UpstreamError)).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it.each([
    [503, 'UPSTREAM_UNAVAILABLE'],
    [500, 'UPSTREAM_UNAVAILABLE'],
    [429, 'UPSTREAM_RATE_LIMITED'],
  ] as const)('an injected %i becomes %s (SMHI-style text/plain body)', async (status, code) => {
    const c = client(NOW, { smhi: { kind: 'status', status } });
    const err = await c.stationList(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(status);
    expect(codeForUpstream(err as UpstreamError)).toBe(code);
    const raw = await get(`${METOBS}/parameter/1.json`, NOW, simulator(), {
      smhi: { kind: 'status', status },
    });
    expect(raw.status).toBe(status);
    expect(raw.headers['content-type']).toBe('text/plain');
  });
});
