/**
 * Queries a hackathon team wrote against the schema (issue: "Offline mode that answers any query").
 * On the exact-replay snapshot none of them answered fully; in offline mode every one must answer
 * with values, without errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { geography } from '../../kit/sweden.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

type Json = Record<string, unknown>;

/** Every leaf under `value` (arrays and objects walked), with its path. */
function leaves(value: unknown, path = ''): Array<[string, unknown]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value as Json).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
  return [[path, value]];
}

describe('team queries answer offline', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
  });
  afterAll(() => gw.stop());

  const ask = async (query: string) => {
    const body = await gw.query(query);
    expect(body.errors, JSON.stringify(body.errors, null, 2)).toBeUndefined();
    return body;
  };

  it("Norrbottens län's municipalities with population, current weather and job count", async () => {
    const body = await ask(`{
      county(code: "25") {
        name
        municipalities {
          code name population(year: 2024)
          currentWeather(withinKm: 150) { airTemperature observedAt station { name } }
          jobAdCount
        }
      }
    }`);
    const county = (body.data as { county: { name: string; municipalities: Json[] } }).county;
    expect(county.name).toBe('Norrbottens län');
    expect(county.municipalities).toHaveLength(14);
    for (const m of county.municipalities) {
      expect(m['population'], String(m['name'])).toBeGreaterThan(500);
      expect((m['currentWeather'] as Json)['airTemperature'], String(m['name'])).toEqual(expect.any(Number));
      expect(m['jobAdCount'], String(m['name'])).toEqual(expect.any(Number));
    }
    // Kiruna and Luleå have ads (the corpus covers every municipality).
    const kiruna = county.municipalities.find((m) => m['code'] === '2584')!;
    expect(kiruna['jobAdCount']).toBeGreaterThan(0);
    expect(body.extensions?.['offline']).toMatchObject({
      agencies: { smhi: { synthetic: true }, scb: expect.any(Object), jobtech: expect.any(Object) },
    });
  });

  it('Uppsala forecast and groundwater', async () => {
    const body = await ask(`{
      municipality(code: "0380") {
        name
        forecast(hours: 12) { time airTemperature windSpeed symbol }
        groundwaterStations { id name latestLevel { date metersAboveSeaLevel } }
      }
    }`);
    const m = (body.data as { municipality: Json }).municipality;
    const forecast = m['forecast'] as Json[];
    expect(forecast.length).toBeGreaterThanOrEqual(12);
    // Anchored at the current hour: the first step is in the next hour or two, never another month.
    const first = Date.parse(String(forecast[0]!['time']));
    expect(first - Date.now()).toBeGreaterThan(-60 * 60_000);
    expect(first - Date.now()).toBeLessThan(3 * 60 * 60_000);
    const stations = m['groundwaterStations'] as Json[];
    expect(stations.length).toBeGreaterThan(0);
    expect(stations.some((s) => s['latestLevel'] !== null)).toBe(true);
    for (const [path, v] of leaves(forecast)) expect(v, path).not.toBeNull();
  });

  it('Skåne income against job ads', async () => {
    const body = await ask(`{
      county(code: "12") {
        municipalities { code name income(year: 2022) { median mean } jobAdCount }
      }
    }`);
    const list = (body.data as { county: { municipalities: Json[] } }).county.municipalities;
    expect(list).toHaveLength(33);
    for (const m of list) {
      expect((m['income'] as Json)['median'], String(m['name'])).toEqual(expect.any(Number));
      expect(m['jobAdCount'], String(m['name'])).toEqual(expect.any(Number));
    }
    const malmo = list.find((m) => m['code'] === '1280')!;
    expect(malmo['jobAdCount']).toBeGreaterThan(10);
  });

  it('counties ranked by population', async () => {
    const body = await ask('{ counties { code name population(year: 2024) } }');
    const counties = (body.data as { counties: Array<{ code: string; population: number }> }).counties;
    expect(counties).toHaveLength(21);
    const ranked = [...counties].sort((a, b) => b.population - a.population);
    expect(ranked[0]!.code).toBe('01');
    for (const c of counties) expect(c.population).toBeGreaterThan(50_000);
  });

  it('developer jobs in Göteborg with the weather', async () => {
    const body = await ask(`{
      jobAds(query: "utvecklare", municipality: "1480", limit: 5) {
        total
        ads {
          headline
          employer { name }
          workplace { municipality { code } location { forecast(hours: 3) { airTemperature } } }
        }
      }
    }`);
    const search = (body.data as { jobAds: { total: number; ads: Json[] } }).jobAds;
    expect(search.total).toBeGreaterThan(0);
    expect(search.ads.length).toBeGreaterThan(0);
    for (const ad of search.ads) {
      expect(String(ad['headline'])).toMatch(/utvecklare/i);
      expect(((ad['workplace'] as Json)['municipality'] as Json)['code']).toBe('1480');
    }
  });

  it('soil and bedrock in Göteborg', async () => {
    const body = await ask(`{
      place(latitude: 57.7089, longitude: 11.9746) {
        municipality { name }
        soilType { name }
        bedrock { name }
      }
    }`);
    const place = (body.data as { place: Json }).place;
    expect((place['municipality'] as Json)['name']).toBe('Göteborg');
    expect((place['soilType'] as Json)['name']).toEqual(expect.any(String));
    expect((place['bedrock'] as Json)['name']).toEqual(expect.any(String));
  });

  it('two SCB fields that answer alone also answer together (batching changes the request)', async () => {
    const body = await ask(`{
      municipality(code: "0180") { population(year: 2024) income(year: 2022) { median } }
      county(code: "01") { population(year: 2024) }
      sweden { population(year: 2024) }
    }`);
    const d = body.data as { municipality: Json; county: Json; sweden: Json };
    expect(d.municipality['population']).toBeGreaterThan(0);
    expect(d.county['population'] as number).toBeGreaterThan(d.municipality['population'] as number);
    expect(d.sweden['population'] as number).toBeGreaterThan(d.county['population'] as number);
  });

  it('all 290 municipalities with population, 30 forecast points, jobAds(limit: 6)', async () => {
    const all = await ask('{ municipalities { code population(year: 2024) } }');
    const list = (all.data as { municipalities: Array<{ population: number | null }> }).municipalities;
    expect(list).toHaveLength(290);
    expect(list.every((m) => typeof m.population === 'number' && m.population > 0)).toBe(true);

    // 30 points from the south to the far north (every tenth municipality's representative point).
    const points = [...geography().municipalities.values()]
      .filter((_, i) => i % 9 === 0)
      .slice(0, 30)
      .map((m) => m.centroid);
    expect(points).toHaveLength(30);
    const fields = points
      .map(
        (p, i) =>
          `p${i}: place(latitude: ${p.latitude}, longitude: ${p.longitude}) { forecast(hours: 2) { airTemperature } }`,
      )
      .join('\n');
    const body = await ask(`{ ${fields} }`);
    const answered = Object.values(body.data as Record<string, { forecast: Json[] }>);
    expect(answered).toHaveLength(30);
    for (const p of answered) expect(p.forecast[0]!['airTemperature']).toEqual(expect.any(Number));

    const six = await ask('{ jobAds(limit: 6) { total ads { id headline } } }');
    expect((six.data as { jobAds: { ads: Json[] } }).jobAds.ads).toHaveLength(6);
  });
});
