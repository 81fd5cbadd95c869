/**
 * Cache TTLs matched to the data, and the schema's @cacheControl hints matching them. Upstream
 * bodies are the recorded fixtures or minimal SYNTHETIC bodies of the documented shapes.
 */
import { readFileSync } from 'node:fs';
import { type GraphQLField, getNamedType, isCompositeType, isObjectType, parse } from 'graphql';
import Keyv from 'keyv';
import type { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { cachePolicyOf } from '../../kit/cache-policy.ts';
import { silentLogger } from '../../kit/logger.ts';
import { createUpstream } from '../../kit/upstream.ts';
import { createSmhiClient, type SmhiClient, TTL } from '../../subgraphs/smhi/client.ts';
import { smhi } from '../../subgraphs/smhi/index.ts';
import { offlineAgent } from '../helpers/gateway.ts';

const FORECAST = readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8');
const WARNINGS = readFileSync(
  'test/fixtures/smhi/warnings_ibw_v1_warning_polygon_single_pysmhi.json',
  'utf8',
);
const STATIONS = readFileSync('test/fixtures/smhi/metobs_stations_p1_synthetic.json', 'utf8');
const LATEST = readFileSync('test/fixtures/smhi/metobs_latest_hour_all_p1_synthetic.json', 'utf8');
const MIN = 60_000;

interface Setup {
  client: SmhiClient;
  agent: MockAgent;
  advance(ms: number): void;
  calls: string[];
}

/** Every origin answers from `routes` with the given Cache-Control; a fake clock moves only when told. */
function setup(routes: Record<string, string>, cacheControl: string | undefined): Setup {
  let now = Date.parse('2026-11-26T17:05:00Z');
  const agent = offlineAgent();
  const calls: string[] = [];
  for (const origin of [
    'https://opendata-download-metfcst.smhi.se',
    'https://opendata-download-metobs.smhi.se',
    'https://opendata-download-warnings.smhi.se',
  ]) {
    agent
      .get(origin)
      .intercept({ path: (p) => routes[p] !== undefined })
      .reply((req) => {
        calls.push(req.path);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (cacheControl) headers['cache-control'] = cacheControl;
        return { statusCode: 200, data: routes[req.path]!, responseOptions: { headers } };
      })
      .persist();
  }
  const cache = new Keyv();
  const up = (baseUrl: string) =>
    createUpstream({
      agency: 'smhi',
      baseUrl,
      cache,
      logger: silentLogger,
      dispatcher: agent,
      now: () => now,
    });
  const client = createSmhiClient({
    forecast: up('https://opendata-download-metfcst.smhi.se/api/category/snow1g/version/1'),
    metobs: up('https://opendata-download-metobs.smhi.se/api/version/1.0'),
    warnings: up('https://opendata-download-warnings.smhi.se/ibww/api/version/1'),
  });
  return { client, agent, calls, advance: (ms) => (now += ms) };
}

const FORECAST_PATH = '/api/category/snow1g/version/1/geotype/point/lon/18.0686/lat/59.3293/data.json';
const LATEST_PATH = '/api/version/1.0/parameter/1/station-set/all/period/latest-hour/data.json';
const STATIONS_PATH = '/api/version/1.0/parameter/1.json';
const WARNINGS_PATH = '/ibww/api/version/1/warning.json';
const ROUTES = {
  [FORECAST_PATH]: FORECAST,
  [LATEST_PATH]: LATEST,
  [STATIONS_PATH]: STATIONS,
  [WARNINGS_PATH]: WARNINGS,
};

describe('upstream cache TTLs', () => {
  let current: Setup | undefined;
  afterEach(async () => {
    await current?.agent.close();
    current = undefined;
  });

  /** Calls `fetch` at each offset (ms from the first call) and returns how many went upstream. */
  async function callsAt(s: Setup, fetch: () => Promise<unknown>, offsets: number[]): Promise<number[]> {
    const seen: number[] = [];
    let at = 0;
    for (const offset of offsets) {
      s.advance(offset - at);
      at = offset;
      await fetch();
      seen.push(s.calls.length);
    }
    return seen;
  }

  it("observations: 10 min, although metobs says max-age=60 (SMHI's recorded header)", async () => {
    current = setup(ROUTES, 'max-age=60');
    const s = current;
    expect(TTL.observationsMs).toBe(10 * MIN);
    expect(await callsAt(s, () => s.client.latestHour(1), [0, 2 * MIN, 9 * MIN, 10 * MIN + 1])).toEqual([
      1, 1, 1, 2,
    ]);
  });

  it('station lists: 1 day, whatever the upstream says', async () => {
    current = setup(ROUTES, 'max-age=60');
    const s = current;
    expect(await callsAt(s, () => s.client.stationList(1), [0, 23 * 60 * MIN, 24 * 60 * MIN + 1])).toEqual([
      1, 1, 2,
    ]);
  });

  it('warnings: 5 min, whatever the upstream says', async () => {
    current = setup(ROUTES, 'max-age=3600');
    const s = current;
    expect(await callsAt(s, () => s.client.warnings(), [0, 4 * MIN, 5 * MIN + 1])).toEqual([1, 1, 2]);
  });

  it("forecasts: the upstream's Cache-Control when given", async () => {
    current = setup(ROUTES, 'max-age=600, public');
    const s = current;
    expect(await callsAt(s, () => s.client.forecast(59.3293, 18.0686), [0, 9 * MIN, 10 * MIN + 1])).toEqual([
      1, 1, 2,
    ]);
  });

  it('forecasts: 30 min without Cache-Control', async () => {
    current = setup(ROUTES, undefined);
    const s = current;
    expect(
      await callsAt(s, () => s.client.forecast(59.3293, 18.0686), [0, 10 * MIN, 29 * MIN, 30 * MIN + 1]),
    ).toEqual([1, 1, 1, 2]);
  });
});

describe('@cacheControl hints match the TTLs', () => {
  const runtimeSchema = smhi.create({
    config: {
      SMHI_FORECAST_URL: 'https://forecast.test',
      SMHI_METOBS_URL: 'https://metobs.test',
      SMHI_WARNINGS_URL: 'https://warnings.test',
      SMHI_MAX_FORECAST_POINTS: 30,
    },
    cache: new Keyv(),
    logger: silentLogger,
    mode: 'live',
    now: Date.now,
  }).schema;
  const maxAge = (query: string) => cachePolicyOf(runtimeSchema, parse(query)).maxAge;
  const entities = (type: string, selection: string) =>
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${type} { ${selection} } } }`;

  it.each([
    ['forecast', entities('Place', 'forecast { time airTemperature weatherSymbol { sv } }'), TTL.forecastMs],
    [
      'forecast run',
      entities('Municipality', 'forecastRun { referenceTime steps { time } }'),
      TTL.forecastMs,
    ],
    [
      'current weather',
      entities('Place', 'currentWeather { airTemperature station { id name } observations { value } }'),
      TTL.observationsMs,
    ],
    [
      'station observations',
      '{ weatherStation(id: "1") { observations { values { value } } } }',
      TTL.observationsMs,
    ],
    ['station list', '{ weatherStations { id name location { latitude } } }', TTL.stationListMs],
    ['warnings', '{ weatherWarnings { level areas { descriptions { text { sv } } } } }', TTL.warningsMs],
    ['county warnings', entities('County', 'weatherWarnings { event { sv } }'), TTL.warningsMs],
    [
      'a mix takes the smallest',
      entities('Place', 'forecast { time } currentWeather { airTemperature } weatherWarnings { level }'),
      TTL.warningsMs,
    ],
  ])('%s', (_, query, ttlMs) => {
    expect(maxAge(query)).toBe(ttlMs / 1000);
  });
});

describe('every type and field of the SMHI schema carries a cache hint', () => {
  const schema = smhi.create({
    config: {
      SMHI_FORECAST_URL: 'https://forecast.test',
      SMHI_METOBS_URL: 'https://metobs.test',
      SMHI_WARNINGS_URL: 'https://warnings.test',
      SMHI_MAX_FORECAST_POINTS: 30,
    },
    cache: new Keyv(),
    logger: silentLogger,
    mode: 'live',
    now: Date.now,
  }).schema;
  const own = new Set(
    smhi.typeDefs.definitions.flatMap((d) =>
      d.kind === 'ObjectTypeDefinition' || d.kind === 'ObjectTypeExtension' ? [d.name.value] : [],
    ),
  );
  const hinted = (node: { directives?: readonly { name: { value: string } }[] } | null | undefined) =>
    node?.directives?.some((d) => d.name.value === 'cacheControl') ?? false;

  it.each([...own].sort())('%s', (typeName) => {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
    expect(hinted(type.astNode), `type ${typeName} has no @cacheControl`).toBe(true);
    for (const field of Object.values(type.getFields()) as GraphQLField<unknown, unknown>[]) {
      const named = getNamedType(field.type);
      if (!isCompositeType(named) || hinted(field.astNode) || field.name.startsWith('_')) continue;
      // An object-returning field without its own hint takes its type's hint (maxAge or inherit);
      // federation's _entities/_service inherit from the entity types.
      expect(hinted(named.astNode), `${typeName}.${field.name} → ${named.name} has no hint`).toBe(true);
    }
  });
});
