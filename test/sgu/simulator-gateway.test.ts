/**
 * End to end in offline mode: the real gateway, the SGU subgraph and its client, answered by the SGU
 * simulator. Every field of the SGU schema answers with values, for places and municipalities all
 * over Sweden, and `extensions.offline` names SGU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geography } from '../../kit/sweden.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

type Json = Record<string, unknown>;
const DAY = 86_400_000;

let gw: TestGateway;
beforeAll(async () => {
  // RATE_LIMITS' default for SGU (10 calls/s) would make the 290 uncached wellCount calls of one
  // query take 29 s and time out in the queue; the limit protects api.sgu.se, not the simulator.
  // These tests ask the simulator for hundreds of SGU answers in one query (every municipality's
  // well count); the gateway's per-request call budget would refuse that before execution.
  gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline', MAX_UPSTREAM_CALLS: '1000' } });
}, 60_000);
afterAll(() => gw.stop());

async function ask<T = Json>(query: string): Promise<{ data: T; extensions: Json | undefined }> {
  const body = await gw.query<T>(query);
  expect(body.errors, JSON.stringify(body.errors, null, 2)).toBeUndefined();
  return { data: body.data as T, extensions: body.extensions };
}

/** Every leaf under `value` with its path (arrays and objects walked). */
function leaves(value: unknown, path = ''): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value as Json).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [[path, value]];
}

const STATION_FIELDS = `id name municipality { code } county { code } location { latitude longitude }
  aquiferCode aquifer soilType soilGenesis soilDepth referenceLevel heightSystem heightMethod pipeHeight
  pipeLength wellMaterial geohydrologicalSetting monitoredFrom monitoredTo groundwaterBody`;
const LEVEL_FIELDS = 'date metersAboveSeaLevel metersBelowGroundSurface metersBelowPipeTop method remark';
const WELL_FIELDS = `id wellNumber depth soilDepth soilDepthQualifier capacity capacityQualifier groundwaterLevel
  use { code description } drilledDate location { latitude longitude } municipality { code }`;

describe('SGU in offline mode', () => {
  it('{ municipalities { wellCount } }: a count for all 290', async () => {
    const { data, extensions } = await ask<{
      municipalities: Array<{ code: string; wellCount: number | null }>;
    }>('{ municipalities { code wellCount } }');
    expect(data.municipalities).toHaveLength(290);
    for (const m of data.municipalities) expect(m.wellCount, m.code).toBeGreaterThan(10);
    const stockholm = data.municipalities.find((m) => m.code === '0180')!.wellCount!;
    expect(stockholm).toBeGreaterThan(2000);
    expect(extensions?.['offline']).toMatchObject({
      mode: 'offline',
      agencies: { sgu: { synthetic: true, note: expect.stringMatching(/SGU/) } },
    });
  }, 120_000);

  it('every Well field has a value among the first two wells of Uppsala', async () => {
    const { data } = await ask<{ municipality: { wells: Json[] } }>(
      `{ municipality(code: "0380") { wells(limit: 2) { ${WELL_FIELDS} } } }`,
    );
    const wells = data.municipality.wells;
    expect(wells).toHaveLength(2);
    for (const key of Object.keys(wells[0]!)) {
      expect(
        wells.some((w) => w[key] !== null),
        key,
      ).toBe(true);
    }
  });

  it.each([
    ['0180', 'Stockholm'],
    ['2584', 'Kiruna'],
    ['1480', 'Göteborg'],
    ['1280', 'Malmö'],
    ['0380', 'Uppsala'],
    ['2403', 'Bjurholm'],
  ])('%s %s: stations with every attribute, levels up to now, wells', async (code) => {
    const { data } = await ask<{ municipality: Json }>(`{
      municipality(code: "${code}") {
        groundwaterStations { ${STATION_FIELDS} levels(limit: 5) { ${LEVEL_FIELDS} } latestLevel { ${LEVEL_FIELDS} } }
        wells(limit: 5) { ${WELL_FIELDS} }
        wellCount
      }
    }`);
    const m = data.municipality;
    const stations = m['groundwaterStations'] as Json[];
    expect(stations.length).toBeGreaterThan(1);
    // The first station (in id order) answers every field.
    for (const [path, v] of leaves(stations[0])) expect(v, path).not.toBeNull();
    expect(stations[0]!['levels']).toHaveLength(5);
    for (const s of stations) expect((s['municipality'] as Json)['code']).toBe(code);
    const latest = stations.map((s) => s['latestLevel'] as Json | null).filter((l) => l !== null);
    expect(latest.length).toBeGreaterThan(0);
    const newest = Math.max(...latest.map((l) => Date.parse(String(l['date']))));
    expect(Date.now() - newest).toBeLessThan(60 * DAY);
    const wells = m['wells'] as Json[];
    expect(wells).toHaveLength(5);
    for (const w of wells) {
      expect((w['municipality'] as Json)['code']).toBe(code);
      expect(w['location']).not.toBeNull();
    }
    expect(m['wellCount']).toBeGreaterThan(10);
  });

  it('groundwaterStation(id): the fixture station Lagga_2 in Knivsta', async () => {
    const { data } = await ask<{ groundwaterStation: Json }>(
      `{ groundwaterStation(id: "95_2") { ${STATION_FIELDS} latestLevel { ${LEVEL_FIELDS} } } }`,
    );
    expect(data.groundwaterStation).toMatchObject({
      id: '95_2',
      name: 'Lagga_2',
      municipality: { code: '0330' },
    });
    for (const [path, v] of leaves(data.groundwaterStation)) expect(v, path).not.toBeNull();
  });

  it('levels(from, to): within the range and ordered, from a series followed over next links', async () => {
    const from = new Date(Date.now() - 4 * 365 * DAY).toISOString().slice(0, 10);
    const to = new Date(Date.now() - 10 * DAY).toISOString().slice(0, 10);
    const { data } = await ask<{ groundwaterStation: { levels: Array<{ date: string }> } }>(
      `{ groundwaterStation(id: "81_2") { levels(from: "${from}", to: "${to}", limit: 1000) { date } } }`,
    );
    const dates = data.groundwaterStation.levels.map((l) => l.date);
    expect(dates).toHaveLength(1000); // the most recent 1000 of ~1450 daily readings
    expect([...dates].sort()).toEqual(dates);
    expect(dates[0]! >= from).toBe(true);
    expect(dates.at(-1)!.slice(0, 10) <= to).toBe(true);
  });

  it('wells(limit, offset) pages through the same list', async () => {
    const { data } = await ask<Record<string, { wells: Array<{ id: string }> }>>(`{
      a: municipality(code: "1480") { wells(limit: 10, offset: 0) { id } }
      b: municipality(code: "1480") { wells(limit: 10, offset: 10) { id } }
      all: municipality(code: "1480") { wells(limit: 20) { id } }
      far: municipality(code: "1480") { wells(limit: 500, offset: 4500) { id } }
    }`);
    const ids = (k: string) => data[k]!.wells.map((w) => w.id);
    expect([...ids('a'), ...ids('b')]).toEqual(ids('all'));
    expect(new Set(ids('all')).size).toBe(20);
    expect(ids('far').length).toBeGreaterThan(0);
    expect(ids('far')).not.toContain(ids('a')[0]);
  });

  it('soilType and bedrock for places all over Sweden (Kiruna on the 250k map)', async () => {
    const named: Array<[string, number, number]> = [
      ['Stockholm', 59.3293, 18.0686],
      ['Kiruna', 67.8558, 20.2253],
      ['Malmö', 55.605, 13.0038],
      ['Visby', 57.6348, 18.2948],
      ['Göteborg', 57.7089, 11.9746],
      ['Uppsala', 59.8586, 17.6389],
      ['Umeå', 63.8258, 20.263],
    ];
    const spread = [...geography().municipalities.values()]
      .filter((_, i) => i % 12 === 0)
      .map((m): [string, number, number] => [m.name, m.centroid.latitude, m.centroid.longitude]);
    const points = [...named, ...spread];
    const query = `{ ${points
      .map(
        ([, lat, lon], i) =>
          `p${i}: place(latitude: ${lat}, longitude: ${lon}) { soilType { name code map featureId } bedrock { name code featureId unit lithology tectonicUnit description } }`,
      )
      .join('\n')} }`;
    const { data } = await ask<Record<string, { soilType: Json; bedrock: Json }>>(query);
    points.forEach(([name], i) => {
      const p = data[`p${i}`]!;
      for (const [path, v] of leaves(p)) expect(v, `${name}: ${path}`).not.toBeNull();
    });
    expect(data['p1']!.soilType['map']).toBe('JORDARTER_250K');
    expect(data['p2']!.soilType['map']).toBe('JORDARTER_25K_100K');
    expect(['Kalksten', 'Märgelsten']).toContain(data['p3']!.bedrock['name']);
  });

  it('nearestGroundwaterStations: within the radius, nearest first', async () => {
    for (const [lat, lon] of [
      [59.8586, 17.6389],
      [67.8558, 20.2253],
      [55.605, 13.0038],
    ]) {
      const { data } = await ask<{
        place: { nearestGroundwaterStations: Array<{ distanceKm: number; station: Json }> };
      }>(
        `{ place(latitude: ${lat}, longitude: ${lon}) { nearestGroundwaterStations(limit: 10, withinKm: 60) { distanceKm station { id name latestLevel { date } } } } }`,
      );
      const near = data.place.nearestGroundwaterStations;
      expect(near.length, `${lat},${lon}`).toBeGreaterThan(0);
      const d = near.map((n) => n.distanceKm);
      expect(d).toEqual([...d].sort((a, b) => a - b));
      expect(Math.max(...d)).toBeLessThanOrEqual(60);
    }
  });
});
