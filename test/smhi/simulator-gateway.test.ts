/**
 * End to end in offline mode: the real gateway with every simulator, every SMHI field answered for
 * plausible arguments across municipalities and places, at a fixed clock (a day on which the
 * simulator's warnings cover Stockholm, so the warning fields are not empty lists).
 */
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp, type GatewayApp } from '../../gateway/src/server.ts';
import { silentLogger } from '../../kit/logger.ts';
import { geography } from '../../kit/sweden.ts';
import { createWarnings } from '../../subgraphs/smhi/simulator/warnings.ts';

const DAY = 86_400_000;

/** The first noon from 2027-01-01 at which a simulated warning covers Stockholm county. */
function clockWithStockholmWarning(): number {
  const { current } = createWarnings();
  for (let d = 0; d < 365; d++) {
    const t = Date.parse('2027-01-01T12:00:00Z') + d * DAY;
    const list = current(t) as Array<{ warningAreas: Array<{ affectedAreas: Array<{ id: number }> }> }>;
    if (list.some((w) => w.warningAreas.some((a) => a.affectedAreas.some((x) => x.id === 1)))) return t;
  }
  throw new Error('no day with a warning for Stockholm county');
}

interface Body<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

let app: GatewayApp;
let url: string;
const CLOCK = clockWithStockholmWarning();

async function query<T = Record<string, unknown>>(
  q: string,
  variables?: Record<string, unknown>,
): Promise<Body<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: q, variables }),
  });
  return (await res.json()) as Body<T>;
}

beforeAll(async () => {
  const started = Date.now();
  app = await createGatewayApp({
    config: loadConfig({ UPSTREAM_MODE: 'offline', LOG_LEVEL: 'silent' }),
    logger: silentLogger,
    cache: new Keyv(),
    // A fixed date that moves with real time (timeouts and limiters keep working).
    now: () => CLOCK + (Date.now() - started),
  });
  url = await app.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await app?.stop();
});

/** Every leaf of `value` that is null, as paths (lists of warnings may be empty, not null). */
function nullPaths(value: unknown, path = '', allowNull: readonly RegExp[] = []): string[] {
  if (value === null) return allowNull.some((r) => r.test(path)) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullPaths(v, `${path}[${i}]`, allowNull));
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      nullPaths(v, path ? `${path}.${k}` : k, allowNull),
    );
  }
  return [];
}

const STEP = `time intervalStart airTemperature windSpeed windDirection windGust relativeHumidity pressure
  visibility cloudCover lowCloudCover mediumCloudCover highCloudCover cloudBase cloudTop precipitationMean
  precipitationMeanDeterministic precipitationMin precipitationMax precipitationMedian precipitationProbability
  frozenPrecipitationPercent frozenPrecipitationProbability precipitationType thunderProbability symbol
  weatherSymbol { code sv en }`;
const RUN = `createdTime referenceTime gridPoint { latitude longitude } gridDistanceKm stepCount lastTime
  steps(hours: 3) { time airTemperature }`;
const CURRENT = `airTemperature observedAt distanceKm windSpeed windDirection windGust relativeHumidity
  precipitation pressure station { id name owner ownerCategory measuringStations active height from to
  location { latitude longitude } }
  observations { parameter { id name unit } value observedAt quality station { id name } distanceKm }`;
const WARNING = `id level event { code sv en } classification { code sv en } normalProbability
  descriptions { title { code sv en } text { sv en } } approximateStart
  areas { id level levelCode levelName { sv en } areaName { sv en } eventDescription { code sv en }
    approximateStart published created normalProbability pushNotice affectedAreas { id sv en }
    descriptions { title { code sv en } text { sv en } } geometry }`;
/** Sentinel-backed and optional values that may legitimately be null in a step or a warning. */
const MAY_BE_NULL = [
  /\.(cloudBase|cloudTop|frozenPrecipitationPercent)$/,
  /weatherWarnings\[\d+\]\.(classification|approximateEnd)/,
  /areas\[\d+\]\.(areaName\.en|approximateEnd)$/,
  /weatherWarnings\[\d+\]\.descriptions/,
];

const MUNICIPALITIES = ['0180', '2584', '1480', '1280', '0380', '2403'];

describe('SMHI in offline mode, through the gateway', () => {
  it.each(MUNICIPALITIES)('municipality %s: forecast, run, current weather and warnings', async (code) => {
    const body = await query<{ municipality: Record<string, unknown> }>(
      `query($code: String!) { municipality(code: $code) {
        code name
        forecast(hours: 24) { ${STEP} }
        forecastRun { ${RUN} }
        # 100 km: in the north the nearest station may be silent this hour (SMHI's [null]) and the next
        # one far away; the default 50 km would then rightly give null.
        currentWeather(withinKm: 100) { ${CURRENT} }
        weatherWarnings { ${WARNING} }
        centroid {
          forecast(hours: 2) { time airTemperature }
          currentWeather(withinKm: 100) { airTemperature observedAt station { id } }
          weatherStations(radiusKm: 60) { id name }
        }
      } }`,
      { code },
    );
    expect(body.errors).toBeUndefined();
    const m = body.data!.municipality as {
      forecast: Array<Record<string, number | null>>;
      forecastRun: { stepCount: number; gridDistanceKm: number };
      currentWeather: { observations: unknown[]; distanceKm: number };
      weatherWarnings: unknown[];
      centroid: { weatherStations: unknown[] };
    };
    expect(nullPaths(m, '', MAY_BE_NULL)).toEqual([]);
    expect(m.forecast).toHaveLength(24);
    // Sentinel-backed fields are null only in some steps, not everywhere.
    expect(m.forecast.some((s) => s['airTemperature'] !== null && s['symbol'] !== null)).toBe(true);
    expect(m.forecastRun.stepCount).toBeGreaterThanOrEqual(81);
    expect(m.forecastRun.gridDistanceKm).toBeLessThan(2);
    expect(m.currentWeather.observations).toHaveLength(7);
    expect(m.currentWeather.distanceKm).toBeLessThanOrEqual(50);
    expect(m.centroid.weatherStations.length).toBeGreaterThan(0);
    expect(Array.isArray(m.weatherWarnings)).toBe(true);
    const offline = body.extensions?.['offline'] as
      | { agencies: Record<string, { synthetic: boolean; note: string }> }
      | undefined;
    expect(offline?.agencies['smhi']?.synthetic).toBe(true);
    expect(offline?.agencies['smhi']?.note).toMatch(/SMHI simulator/);
  });

  it('warnings on Query, County, Municipality and Place agree for Stockholm', async () => {
    const body = await query<{
      weatherWarnings: Array<{ areas: Array<{ affectedAreas: Array<{ id: string }> }> }>;
      yellow: Array<{ level: string }>;
      county: { weatherWarnings: unknown[] };
      municipality: { weatherWarnings: unknown[] };
      place: { weatherWarnings: unknown[] };
      far: { weatherWarnings: Array<{ areas: Array<{ affectedAreas: Array<{ id: string }> }> }> };
    }>(`{
      weatherWarnings { ${WARNING} }
      yellow: weatherWarnings(minLevel: YELLOW) { level }
      county(code: "01") { weatherWarnings { ${WARNING} } }
      municipality(code: "0180") { weatherWarnings { id level } }
      place(latitude: 59.3293, longitude: 18.0686) { weatherWarnings { id level areas { id } } }
      far: county(code: "25") { weatherWarnings { areas { affectedAreas { id } } } }
    }`);
    expect(body.errors).toBeUndefined();
    const d = body.data!;
    expect(nullPaths(d.weatherWarnings, 'weatherWarnings', MAY_BE_NULL)).toEqual([]);
    const stockholm = d.weatherWarnings.filter((w) =>
      w.areas.some((a) => a.affectedAreas.some((x) => x.id === '1')),
    );
    expect(stockholm.length).toBeGreaterThan(0);
    expect(d.county.weatherWarnings.length).toBeGreaterThan(0);
    expect(d.municipality.weatherWarnings.length).toBeGreaterThan(0);
    expect(d.place.weatherWarnings.length).toBeGreaterThan(0);
    expect(d.yellow.every((w) => ['YELLOW', 'ORANGE', 'RED'].includes(w.level))).toBe(true);
    // Norrbotten's list has only areas over Norrbotten (the filter really filters).
    for (const w of d.far.weatherWarnings) {
      for (const a of w.areas) expect(a.affectedAreas.map((x) => x.id)).not.toContain('1');
    }
  });

  it('stations, one station and its observations for every period', async () => {
    const body = await query<{
      all: Array<{ id: string; active: boolean }>;
      active: Array<{ id: string; location: { latitude: number } }>;
      wind: Array<{ id: string }>;
      weatherStation: Record<string, unknown>;
      missing: null;
      weatherParameters: unknown[];
    }>(`{
      all: weatherStations { id active }
      active: weatherStations(activeOnly: true) { id location { latitude } }
      wind: weatherStations(parameter: 4, activeOnly: true) { id }
      weatherStation(id: "98210") {
        id name owner ownerCategory measuringStations active height from to location { latitude longitude }
        hour: observations { parameter { id } period unit from to updated values { time value quality } latest { time value } }
        day: observations(period: LATEST_DAY) { values { time value } latest { value } }
        months: observations(period: LATEST_MONTHS) { from to latest { time value } }
        daily: observations(parameter: 2, period: LATEST_DAY) { values { time intervalStart ref value } }
        pressure: observations(parameter: 9) { latest { value } }
      }
      missing: weatherStation(id: "99999999")
        { id }
      weatherParameters { id name unit }
    }`);
    expect(body.errors).toBeUndefined();
    const d = body.data!;
    expect(d.active.length).toBeGreaterThanOrEqual(150);
    expect(d.all.length).toBeGreaterThan(d.active.length);
    expect(d.wind.length).toBeGreaterThanOrEqual(150);
    const lats = d.active.map((s) => s.location.latitude);
    expect(Math.min(...lats)).toBeLessThan(56);
    expect(Math.max(...lats)).toBeGreaterThan(67);
    expect(nullPaths(d.weatherStation)).toEqual([]);
    const station = d.weatherStation as {
      day: { values: unknown[] };
      daily: { values: Array<{ ref: string; intervalStart: string }> };
    };
    expect(station.day.values.length).toBeGreaterThanOrEqual(23);
    expect(station.daily.values).toHaveLength(1);
    expect(station.daily.values[0]!.ref).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(d.missing).toBeNull();
    expect(d.weatherParameters).toHaveLength(40);
  });

  it('answers forecasts for 30 different points in one query', async () => {
    const points = [...geography().municipalities.values()]
      .filter((_, i) => i % 9 === 0)
      .slice(0, 30)
      .map((m) => m.centroid);
    expect(points).toHaveLength(30);
    const fields = points
      .map(
        (p, i) =>
          `p${i}: place(latitude: ${p.latitude}, longitude: ${p.longitude}) { forecast(hours: 3) { validAt airTemperature symbol } forecastRun { gridPoint { latitude } } }`,
      )
      .join('\n');
    const body = await query<Record<string, { forecast: unknown[]; forecastRun: unknown }>>(`{ ${fields} }`);
    expect(body.errors).toBeUndefined();
    const answers = Object.values(body.data!);
    expect(answers).toHaveLength(30);
    for (const a of answers) {
      expect(a.forecast).toHaveLength(3);
      expect(nullPaths(a)).toEqual([]);
    }
    // Different places, different forecasts.
    expect(new Set(answers.map((a) => JSON.stringify(a.forecast))).size).toBeGreaterThan(25);
  });
});
