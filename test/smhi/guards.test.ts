/**
 * Protection for SMHI: the per-request cap on distinct forecast points (with a MockAgent counting
 * upstream calls), and bad input rejected before any upstream call.
 */
import { readFileSync } from 'node:fs';
import type { MockAgent } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { offlineAgent, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const FORECAST = readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8');
const FORECAST_PATH =
  /^\/api\/category\/snow1g\/version\/1\/geotype\/point\/lon\/[\d.]+\/lat\/[\d.]+\/data\.json$/;

/** A MockAgent answering every snow1g point request with the recorded forecast, counting them. */
function forecastAgent(): { agent: MockAgent; paths: string[] } {
  const agent = offlineAgent();
  const paths: string[] = [];
  agent
    .get('https://opendata-download-metfcst.smhi.se')
    .intercept({ path: (p) => FORECAST_PATH.test(p) })
    .reply((req) => {
      paths.push(req.path);
      return {
        statusCode: 200,
        data: FORECAST,
        responseOptions: { headers: { 'content-type': 'application/json' } },
      };
    })
    .persist();
  return { agent, paths };
}

type Body = Awaited<ReturnType<TestGateway['query']>>;
const badInputErrors = (body: Body) =>
  (body.errors ?? []).filter((e) => e.extensions?.['code'] === 'BAD_USER_INPUT');

describe('fan-out guard on forecasts', () => {
  let gw: TestGateway | undefined;
  let agent: MockAgent | undefined;
  afterEach(async () => {
    await gw?.stop();
    await agent?.close();
  });

  it('caps `municipalities { forecast }` at 30 distinct points by default, one call each', async () => {
    const mock = forecastAgent();
    agent = mock.agent;
    // The cost analysis refuses this query before execution (290 estimated SMHI calls); raise its
    // call budget so that the resolver's own point cap, the backstop behind it, is what is tested.
    gw = await startTestGateway({
      env: { UPSTREAM_MODE: 'live', MAX_UPSTREAM_CALLS: '1000' },
      dispatcher: agent,
    });
    const body = await gw.query<{ municipalities: Array<{ code: string; forecast: unknown[] | null }> }>(
      '{ municipalities { code forecast(hours: 1) { time } } }',
    );
    const rows = body.data!.municipalities;
    expect(rows).toHaveLength(290);
    expect(rows.filter((m) => m.forecast !== null)).toHaveLength(30);
    expect(mock.paths).toHaveLength(30);
    expect(new Set(mock.paths).size).toBe(30);
    const errors = badInputErrors(body);
    expect(errors).toHaveLength(260);
    expect(errors.every((e) => e.extensions?.['agency'] === 'smhi')).toBe(true);
    expect(errors[0]!.message).toMatch(/at most 30 distinct places or municipalities/);
    expect(errors[0]!.message).toMatch(/SMHI_MAX_FORECAST_POINTS/);
    expect(body.errors).toHaveLength(260);
  });

  it('honours SMHI_MAX_FORECAST_POINTS, and identical points share one call and one slot', async () => {
    const mock = forecastAgent();
    agent = mock.agent;
    gw = await startTestGateway({
      env: { UPSTREAM_MODE: 'live', SMHI_MAX_FORECAST_POINTS: '2' },
      dispatcher: agent,
    });
    const body = await gw.query<Record<string, { forecast: unknown[] | null } | null>>(`{
      a: place(latitude: 59.3293, longitude: 18.0686) { forecast(hours: 2) { time } forecastRun { stepCount } }
      b: place(latitude: 59.3293, longitude: 18.0686) { forecast(hours: 5) { time } }
      c: place(latitude: 57.7089, longitude: 11.9746) { forecast(hours: 1) { time } }
      d: place(latitude: 55.605, longitude: 13.0038) { forecast(hours: 1) { time } }
    }`);
    expect(body.data!['a']!.forecast).toHaveLength(2);
    expect(body.data!['b']!.forecast).toHaveLength(5);
    expect(body.data!['c']!.forecast).toHaveLength(1);
    expect(body.data!['d']!.forecast).toBeNull();
    expect(mock.paths.sort()).toEqual([
      '/api/category/snow1g/version/1/geotype/point/lon/11.9746/lat/57.7089/data.json',
      '/api/category/snow1g/version/1/geotype/point/lon/18.0686/lat/59.3293/data.json',
    ]);
    const errors = badInputErrors(body);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toEqual(['d', 'forecast']);
    expect(errors[0]!.message).toMatch(/at most 2 distinct/);
  });
});

describe('bad input is rejected before any upstream call', () => {
  let gw: TestGateway;
  let agent: MockAgent;
  let shared: { gw: TestGateway; agent: MockAgent } | undefined;
  afterAll(async () => {
    await shared?.gw.stop();
    await shared?.agent.close();
  });

  it.each([
    [
      '{ weatherStations(parameter: 99) { id } }',
      /parameter: 99\) is not a known SMHI observation parameter: use an id from 1 to 40/,
    ],
    ['{ weatherStations(parameter: 0) { id } }', /from 1 to 40/],
    ['{ weatherStation(id: "98210; DROP") { id } }', /malformed: use SMHI's numeric station id/],
    ['{ weatherStation(id: "") { id } }', /malformed/],
    ['{ weatherStation(id: "98210", parameter: 41) { id } }', /from 1 to 40/],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(hours: 0) { time } } }',
      /hours must be an integer from 1 to 240/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(hours: 241) { time } } }',
      /hours must be an integer from 1 to 240/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(from: "tomorrow") { time } } }',
      /not an ISO-8601 date-time with a time zone/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(from: "2026-04-03T00:00:00") { time } } }',
      /with a time zone/,
    ],
    [
      // Date.parse would silently roll 31 February over to 3 March.
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(from: "2026-02-31T00:00:00Z") { time } } }',
      /"2026-02-31T00:00:00Z"\) is not an ISO-8601 date-time/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(hours: 1, from: "2026-04-02T12:00:00+02:00", to: "2026-13-01T00:00:00Z") { time } } }',
      /either `hours` or `to`/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(to: "2026-04-31T00:00:00+02:00") { time } } }',
      /forecast\(to: "2026-04-31T00:00:00\+02:00"\) is not an ISO-8601/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { currentWeather(withinKm: 501) { airTemperature } } }',
      /currentWeather\(withinKm: 501\) is out of range: use 1 to 500 km/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(from: "2026-04-03T00:00:00Z", to: "2026-04-02T00:00:00Z") { time } } }',
      /must be after/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(from: "2026-04-01T00:00:00Z", to: "2026-04-12T01:00:00Z") { time } } }',
      /spans more than 240 hours/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecast(hours: 3, to: "2026-04-03T00:00:00Z") { time } } }',
      /either `hours` or `to`/,
    ],
    [
      '{ municipality(code: "0180") { forecast(hours: 500) { time } } }',
      /hours must be an integer from 1 to 240/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { forecastRun { stepCount steps(hours: 0) { time } } } }',
      /hours must be an integer from 1 to 240/,
    ],
    [
      '{ municipality(code: "0180") { forecastRun { ...W } } } fragment W on ForecastRun { steps(from: "soon") { time } }',
      /not an ISO-8601 date-time/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { weatherStations(radiusKm: 500) { id } } }',
      /use 1 to 100 km/,
    ],
    [
      '{ place(latitude: 59.3293, longitude: 18.0686) { weatherStations(parameter: 77) { id } } }',
      /from 1 to 40/,
    ],
  ])('%s', async (query, message) => {
    // One live gateway over an agent with no interceptors: any upstream call would be an error event.
    if (!shared) {
      const offline = offlineAgent();
      shared = {
        agent: offline,
        gw: await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: offline }),
      };
    }
    const body = await shared.gw.query(query);
    const errors = badInputErrors(body);
    expect(errors, JSON.stringify(body.errors)).toHaveLength(1);
    expect(errors[0]!.message).toMatch(message);
    expect(errors[0]!.extensions?.['agency']).toBe('smhi');
    expect(shared.gw.events).toEqual([]);
  });

  it('rejects an unknown observation parameter on a station before fetching anything', async () => {
    agent = offlineAgent();
    // Only the station list may be fetched (to resolve the station); never the data.
    const list = readFileSync('test/fixtures/smhi/metobs_stations_p1_synthetic.json', 'utf8');
    agent
      .get('https://opendata-download-metobs.smhi.se')
      .intercept({ path: '/api/version/1.0/parameter/1.json' })
      .reply(200, list, { headers: { 'content-type': 'application/json' } });
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: agent });
    try {
      const body = await gw.query(
        '{ weatherStation(id: "98210") { name observations(parameter: 400) { values { value } } } }',
      );
      expect(body.data).toEqual({
        weatherStation: { name: 'Stockholm-Observatoriekullen A', observations: null },
      });
      expect(badInputErrors(body)[0]!.message).toMatch(/observations\(parameter: 400\)/);
      expect(gw.events.map((e) => e.outcome)).toEqual(['miss']);
      agent.assertNoPendingInterceptors();
    } finally {
      await gw.stop();
      await agent.close();
    }
  });
});
