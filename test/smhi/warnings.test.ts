/**
 * Which places, municipalities and counties a warning covers, decided by geometry: the recorded
 * Skåne warning (a 202-vertex polygon) and one SYNTHETIC small polygon inside Kiruna.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geography } from '../../kit/sweden.ts';
import {
  areaCoversMunicipality,
  areaCoversPoint,
  atLeast,
  parseWarnings,
  type WarningModel,
} from '../../subgraphs/smhi/warnings.ts';
import { offlineAgent, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

const FIXTURE = 'test/fixtures/smhi/warnings_ibw_v1_warning_polygon_single_pysmhi.json';
const recordedJson = JSON.parse(readFileSync(FIXTURE, 'utf8')) as unknown[];
const [skane] = parseWarnings(recordedJson);
const skaneArea = skane!.areas[0]!;
const { municipalities, counties } = geography();

/** SYNTHETIC: a YELLOW warning over a ~20 × 20 km square around Kiruna town, shape as recorded. */
function kirunaWarning(): unknown {
  const area = structuredClone((recordedJson[0] as { warningAreas: unknown[] }).warningAreas[0]) as Record<
    string,
    unknown
  >;
  area['id'] = 99001;
  area['warningLevel'] = { sv: 'Gul varning', en: 'Yellow warning', code: 'YELLOW' };
  area['area'] = {
    type: 'Feature',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [20.05, 67.8],
          [20.45, 67.8],
          [20.45, 67.92],
          [20.05, 67.92],
          [20.05, 67.8],
        ],
      ],
    },
    properties: { sv: 'Kiruna', en: 'Kiruna', id: 0, code: 'SYNTHETIC' },
  };
  return { ...(recordedJson[0] as object), id: 99000, warningAreas: [area] };
}

/** SYNTHETIC: a warning as recorded but with an empty `warningAreas` (the parser accepts `[]`). */
const arealess = () => ({ ...(recordedJson[0] as object), id: 99100, warningAreas: [] });

describe('warning areas against points', () => {
  it.each([
    ['Malmö', 55.605, 13.0038, true],
    ['Kristianstad', 56.0294, 14.1567, true],
    ['Stockholm', 59.3293, 18.0686, false],
    ['Halmstad (Halland)', 56.6745, 12.8578, false],
    ['Växjö (Kronoberg)', 56.8777, 14.8091, false],
  ])('%s is inside the Skåne warning: %s', (_, lat, lon, inside) => {
    expect(areaCoversPoint(skaneArea, lat, lon)).toBe(inside);
  });
});

describe('warning areas against municipalities and counties', () => {
  it("covers exactly Skåne's 33 municipalities, not the neighbours its coarse outline reaches into", () => {
    const covered = [...municipalities.values()].filter((m) => areaCoversMunicipality(skaneArea, m));
    expect(covered.map((m) => m.code).sort()).toEqual(counties.get('12')!.municipalityCodes);
    // The neighbours whose outlines the warning polygon does cross, by up to ~4 km:
    for (const code of ['0765', '0767', '1060', '1381']) {
      expect(areaCoversMunicipality(skaneArea, municipalities.get(code)!), code).toBe(false);
    }
  });

  it('covers a municipality that a small warning lies inside (and not its neighbours)', () => {
    const [kiruna] = parseWarnings([kirunaWarning()]);
    const area = kiruna!.areas[0]!;
    expect(areaCoversMunicipality(area, municipalities.get('2584')!)).toBe(true);
    expect(areaCoversMunicipality(area, municipalities.get('2523')!)).toBe(false); // Gällivare
  });

  it('filters by minimum level', () => {
    const warnings = parseWarnings([...recordedJson, kirunaWarning()]);
    const ids = (ws: WarningModel[]) => ws.map((w) => w.id);
    expect(ids(atLeast(warnings, null))).toEqual(['3122', '99000']);
    expect(ids(atLeast(warnings, 'MESSAGE'))).toEqual(['3122', '99000']);
    expect(ids(atLeast(warnings, 'YELLOW'))).toEqual(['99000']);
    expect(ids(atLeast(warnings, 'ORANGE'))).toEqual([]);
  });
});

describe('warnings through the gateway (live mode, mocked IBW)', () => {
  let gw: TestGateway;
  const agent = offlineAgent();
  let calls = 0;
  beforeAll(async () => {
    agent
      .get('https://opendata-download-warnings.smhi.se')
      .intercept({ path: '/ibww/api/version/1/warning.json' })
      .reply(() => {
        calls += 1;
        return {
          statusCode: 200,
          data: JSON.stringify([...recordedJson, kirunaWarning(), arealess()]),
          responseOptions: { headers: { 'content-type': 'application/json' } },
        };
      })
      .persist();
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: agent });
  });
  afterAll(async () => {
    await gw.stop();
    await agent.close();
  });

  it('joins warnings to places, municipalities and counties from one upstream call', async () => {
    const body = await gw.query<Record<string, { weatherWarnings: Array<{ id: string; level: string }> }>>(`{
      malmo: place(latitude: 55.605, longitude: 13.0038) { weatherWarnings { id level } }
      kirunaTown: place(latitude: 67.8558, longitude: 20.2253) { weatherWarnings { id level } }
      stockholm: place(latitude: 59.3293, longitude: 18.0686) { weatherWarnings { id level } }
      ystad: municipality(code: "1286") { weatherWarnings { id level } }
      laholm: municipality(code: "1381") { weatherWarnings { id level } }
      kiruna: municipality(code: "2584") { weatherWarnings(minLevel: YELLOW) { id level } }
      skane: county(code: "12") { weatherWarnings { id level } }
      halland: county(code: "13") { weatherWarnings { id level } }
      norrbotten: county(code: "25") { weatherWarnings { id level } }
      all: county(code: "01") { weatherWarnings { id } }
    }`);
    expect(body.errors).toBeUndefined();
    const d = body.data!;
    const skaneWarning = [{ id: '3122', level: 'MESSAGE' }];
    const kirunaWarning = [{ id: '99000', level: 'YELLOW' }];
    expect(d['malmo']!.weatherWarnings).toEqual(skaneWarning);
    expect(d['kirunaTown']!.weatherWarnings).toEqual(kirunaWarning);
    expect(d['stockholm']!.weatherWarnings).toEqual([]);
    expect(d['ystad']!.weatherWarnings).toEqual(skaneWarning);
    expect(d['laholm']!.weatherWarnings).toEqual([]);
    expect(d['kiruna']!.weatherWarnings).toEqual(kirunaWarning);
    expect(d['skane']!.weatherWarnings).toEqual(skaneWarning);
    expect(d['halland']!.weatherWarnings).toEqual([]);
    expect(d['norrbotten']!.weatherWarnings).toEqual(kirunaWarning);
    expect(d['all']!.weatherWarnings).toEqual([]);
    expect(calls).toBe(1);
  });

  it('keeps a warning without areas in the national list (level UNKNOWN, no window), nowhere else', async () => {
    const body = await gw.query<{
      weatherWarnings: Array<{ id: string; level: string; areas: unknown[]; approximateStart: null }>;
      message: Array<{ id: string }>;
    }>(`{
      weatherWarnings { id level areas { id } approximateStart approximateEnd event { code } }
      message: weatherWarnings(minLevel: MESSAGE) { id }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.weatherWarnings.find((w) => w.id === '99100')).toEqual({
      id: '99100',
      level: 'UNKNOWN',
      areas: [],
      approximateStart: null,
      approximateEnd: null,
      event: { code: 'WATER_SHORTAGE' },
    });
    expect(body.data!.message.map((w) => w.id)).toEqual(['3122', '99000']);
  });

  it('lists all warnings, or those from a minimum level up, with the window and level names', async () => {
    const body = await gw.query<{
      all: Array<{ id: string }>;
      yellow: Array<{
        id: string;
        approximateStart: string;
        approximateEnd: string | null;
        areas: unknown[];
      }>;
    }>(`{
      all: weatherWarnings { id }
      yellow: weatherWarnings(minLevel: YELLOW) { id approximateStart approximateEnd
        areas { level levelCode levelName { sv en } } }
    }`);
    expect(body.errors).toBeUndefined();
    // Query lists every warning as published, also one without areas; minLevel filters by area.
    expect(body.data!.all.map((w) => w.id)).toEqual(['3122', '99000', '99100']);
    expect(body.data!.yellow).toEqual([
      {
        id: '99000',
        approximateStart: '2026-04-20T22:00:00Z',
        approximateEnd: null,
        areas: [
          { level: 'YELLOW', levelCode: 'YELLOW', levelName: { sv: 'Gul varning', en: 'Yellow warning' } },
        ],
      },
    ]);
  });
});
