import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/** Offline replay of snapshot/manifest/sgu.json (SYNTHETIC fixtures, see test/fixtures/sgu/README.md). */
describe('SGU in snapshot mode', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.stop());

  it('answers the contract query', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{
          municipality(code: "0180") { groundwaterStations { id name latestLevel { measuredAt } } wellCount }
          place(latitude: 59.8586, longitude: 17.6389) { soilType { name } bedrock { name } }
        }`,
      }),
    });
    const body = (await res.json()) as { data: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      municipality: {
        groundwaterStations: [
          { id: '74_3', name: 'Bromma (syntetisk)', latestLevel: { measuredAt: '2026-11-20T06:00:00Z' } },
          { id: '74_7', name: 'Farsta (syntetisk)', latestLevel: { measuredAt: '2026-05-14T09:15:00Z' } },
          { id: '81_2', name: 'Hässelby (syntetisk)', latestLevel: { measuredAt: '2026-11-19T06:00:00Z' } },
        ],
        wellCount: 4862,
      },
      // The first polygon of each synthetic answer touches the box without containing the point.
      place: { soilType: { name: 'Glacial lera' }, bedrock: { name: 'Granit' } },
    });
    // Levels (6 h) are the shortest-lived data in the answer.
    expect(res.headers.get('cache-control')).toMatch(/max-age=21600/);
  });

  it('answers "groundwater and soil under a place" across agencies', async () => {
    const body = await gw.query(`{
      place(latitude: 59.8586, longitude: 17.6389) {
        municipality { name county { name } }
        soilType { name code map }
        bedrock { name unit }
        nearestGroundwaterStations(limit: 3) {
          distanceKm
          station { id name aquifer municipality { name } latestLevel { measuredAt metersBelowGroundSurface } }
        }
      }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      place: {
        municipality: { name: 'Uppsala', county: { name: 'Uppsala län' } },
        soilType: { name: 'Glacial lera', code: 8, map: 'JORDARTER_25K_100K' },
        bedrock: { name: 'Granit', unit: 'Granit, syntetisk enhet A' },
        nearestGroundwaterStations: [
          {
            distanceKm: 1.191,
            station: {
              id: '96_4',
              name: 'Uppsala Luthagen (syntetisk)',
              aquifer: 'Öppen akvifer i jord',
              municipality: { name: 'Uppsala' },
              latestLevel: { measuredAt: '2026-11-21T00:00:00Z', metersBelowGroundSurface: 2.55 },
            },
          },
          {
            distanceKm: 4.406,
            station: {
              id: '96_9',
              name: 'Gamla Uppsala (syntetisk)',
              aquifer: 'Sluten akvifer i jord',
              municipality: { name: 'Uppsala' },
              latestLevel: { measuredAt: '2026-09-30T08:00:00Z', metersBelowGroundSurface: 3.28 },
            },
          },
          {
            distanceKm: 17.868,
            station: {
              id: '95_2',
              name: 'Lagga_2',
              aquifer: 'Sluten akvifer i jord',
              municipality: { name: 'Knivsta' },
              latestLevel: { measuredAt: '2026-11-20T00:00:00Z', metersBelowGroundSurface: 2.53 },
            },
          },
        ],
      },
    });
  });

  it('lists wells with their drilling dates: the day as a Date, the year or month as given', async () => {
    const body = await gw.query(
      '{ municipality(code: "0180") { wells(limit: 3) { id drilledDate drilledOn drilledPeriod depth capacity use { code } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      municipality: {
        wells: [
          {
            id: 'B0180-710001',
            drilledDate: '1978',
            drilledOn: null,
            drilledPeriod: '1978',
            depth: 62,
            capacity: 600,
            use: { code: 'HUS' },
          },
          {
            id: 'B0180-710002',
            drilledDate: '1985-06',
            drilledOn: null,
            drilledPeriod: '1985-06',
            depth: 88,
            capacity: 1200,
            use: { code: 'ENE' },
          },
          {
            id: 'B0180-710003',
            drilledDate: '2003-09-17',
            drilledOn: '2003-09-17',
            drilledPeriod: '2003-09-17',
            depth: 45,
            capacity: 250,
            use: { code: 'ÖVR' },
          },
        ],
      },
    });
  });

  it('finds one station by id, with levels in its default range', async () => {
    const body = await gw.query(
      '{ groundwaterStation(id: "95_2") { name location { latitude longitude } county { code } levels { date metersAboveSeaLevel } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      groundwaterStation: {
        name: 'Lagga_2',
        location: { latitude: 59.721085, longitude: 17.804123 },
        county: { code: '03' },
        levels: [
          { date: '2026-11-19T00:00:00Z', metersAboveSeaLevel: 29.01 },
          { date: '2026-11-20T00:00:00Z', metersAboveSeaLevel: 29.03 },
        ],
      },
    });
  });
});
