import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { fixture, offlineAgent } from './harness.ts';

/** The contract query. */
const CONTRACT = `{
  placeNames(name: "Abisko", limit: 5) { name type location { latitude longitude } }
  place(latitude: 67.3486, longitude: 18.8257) { elevation municipality { name } }
}`;

// Note: 67.3486 N 18.8257 E lies in Jokkmokk (the embedded outlines, point-in-polygon); Abisko village
// (Kiruna) is one degree further north, at 68.3486 N. Both points are in the snapshot.

describe('Lantmäteriet through the gateway, snapshot mode, no credentials', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'snapshot' } });
  });
  afterAll(() => gw.stop());

  it('answers the contract query from the (synthetic) snapshot', async () => {
    const body = await gw.query<{
      placeNames: Array<{ name: string; type: string; location: { latitude: number; longitude: number } }>;
      place: { elevation: number | null; municipality: { name: string } };
    }>(CONTRACT);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      placeNames: [
        { name: 'Abisko', type: 'Bebyggelse', location: { latitude: 68.349498, longitude: 18.830588 } },
        { name: 'Abisko', type: 'Anläggning', location: { latitude: 68.358703, longitude: 18.782713 } },
        { name: 'Abisko', type: 'Anläggning', location: { latitude: 68.353998, longitude: 18.816504 } },
      ],
      place: { elevation: 812.6, municipality: { name: 'Jokkmokk' } },
    });
  });

  it('answers Abisko itself: Kiruna, elevation and nearest place name with our distance', async () => {
    const body = await gw.query(`{
      place(latitude: 68.3486, longitude: 18.8257) {
        elevation municipality { name }
        nearestPlaceName { name type municipality { code } county { name } distanceMeters }
      }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      place: {
        elevation: 388.4,
        municipality: { name: 'Kiruna' },
        nearestPlaceName: {
          name: 'Abisko',
          type: 'Bebyggelse',
          municipality: { code: '2584' },
          county: { name: 'Norrbottens län' },
          distanceMeters: 224,
        },
      },
    });
  });

  it('joins Lantmäteriet elevation with the SMHI forecast for Stockholm', async () => {
    const body = await gw.query<{
      municipality: { name: string; centroid: { elevation: number }; forecast: Array<{ validAt: string }> };
    }>(
      '{ municipality(code: "0180") { name centroid { elevation } forecast(hours: 2) { validAt airTemperature } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.municipality.name).toBe('Stockholm');
    expect(body.data?.municipality.centroid.elevation).toBe(27.3);
    expect(body.data?.municipality.forecast).toHaveLength(2);
  });

  it('keeps the simplified outline by default and answers FULL from the snapshot', async () => {
    const body = await gw.query<{
      municipality: { simplified: { type: string }; full: { type: string; coordinates: unknown } };
    }>('{ municipality(code: "0180") { simplified: boundary full: boundary(detail: FULL) } }');
    expect(body.errors).toBeUndefined();
    expect(body.data?.municipality.full).toEqual(
      (
        fixture('administrativ_indelning_kommuner_0180_synthetic.json') as {
          features: Array<{ geometry: unknown }>;
        }
      ).features[0]!.geometry,
    );
    expect(['Polygon', 'MultiPolygon']).toContain(body.data?.municipality.simplified.type);
  });
});

describe('Lantmäteriet through the gateway, live mode, no credentials', () => {
  let gw: TestGateway;
  const agent = offlineAgent();
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: agent });
  });
  afterAll(async () => {
    await gw.stop();
    await agent.close();
  });

  it('answers the embedded fields and returns UPSTREAM_AUTH_REQUIRED for placeNames and elevation, calling nothing', async () => {
    const before = gw.events.length;
    const body = await gw.query<{
      placeNames: null;
      place: { elevation: null; municipality: { name: string } };
    }>(CONTRACT);
    expect(body.data).toEqual({
      placeNames: null,
      place: { elevation: null, municipality: { name: 'Jokkmokk' } },
    });
    const byPath = Object.fromEntries((body.errors ?? []).map((e) => [e.path?.join('.') ?? '', e]));
    expect(Object.keys(byPath).sort()).toEqual(['place.elevation', 'placeNames']);
    for (const error of Object.values(byPath)) {
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_AUTH_REQUIRED', agency: 'lantmateriet' });
      expect(error.message).toMatch(/LM_USERNAME and LM_PASSWORD/);
      expect(error.message).toMatch(/LM_CONSUMER_KEY and LM_CONSUMER_SECRET/);
      expect(error.message).toContain('https://geotorget.lantmateriet.se');
      expect(error.message).toContain('https://apimanager.lantmateriet.se');
    }
    // No upstream call was attempted (MockAgent has no interceptors and refuses the network).
    expect(gw.events.length).toBe(before);
  });

  it('answers Kiruna for Abisko without credentials', async () => {
    const body = await gw.query('{ place(latitude: 68.3486, longitude: 18.8257) { municipality { name } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ place: { municipality: { name: 'Kiruna' } } });
  });

  it('names the OAuth2 variables only for addresses', async () => {
    const body = await gw.query('{ addresses(search: "Storgatan 1 Umeå") { label } }');
    expect(body.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_AUTH_REQUIRED');
    expect(body.errors?.[0]?.message).toMatch(/Set LM_CONSUMER_KEY and LM_CONSUMER_SECRET/);
    expect(body.errors?.[0]?.message).not.toMatch(/LM_USERNAME/);
    expect(body.errors?.[0]?.message).toMatch(/personal data/);
  });

  it('keeps simplified boundaries, while FULL needs credentials', async () => {
    const body = await gw.query<{ county: { boundary: unknown; full: unknown; municipalities: unknown[] } }>(
      '{ county(code: "25") { boundary full: boundary(detail: FULL) municipalities { code boundary } } }',
    );
    expect(body.data?.county.boundary).not.toBeNull();
    expect(body.data?.county.full).toBeNull();
    expect(body.data?.county.municipalities).toHaveLength(14);
    expect(body.errors?.map((e) => [e.path?.join('.'), e.extensions?.['code']])).toEqual([
      ['county.full', 'UPSTREAM_AUTH_REQUIRED'],
    ]);
  });
});

describe('HTTP cache hints', () => {
  it('marks address answers private with at most an hour; place names public for a day', async () => {
    const agent = offlineAgent();
    const json = (body: unknown) => ({
      statusCode: 200,
      data: JSON.stringify(body),
      responseOptions: { headers: { 'content-type': 'application/json' } },
    });
    agent
      .get('https://apimanager.lantmateriet.se')
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(() => json({ access_token: 'tok', expires_in: 3600 }))
      .persist();
    const pool = agent.get('https://api.lantmateriet.se');
    pool
      .intercept({ path: (p) => p.includes('/belagenhetsadress/v4.2/referens/fritext'), method: 'GET' })
      .reply(() => json([]));
    pool
      .intercept({ path: (p) => p.includes('/ortnamn/v2.2/kriterier'), method: 'GET' })
      .reply(() => json(fixture('ortnamn_v2.2_kriterier_abisko_synthetic.json')));
    const gw = await startTestGateway({
      env: { UPSTREAM_MODE: 'live', LM_CONSUMER_KEY: 'k', LM_CONSUMER_SECRET: 's' },
      dispatcher: agent,
    });
    const post = (query: string) =>
      fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
    try {
      const addresses = await post('{ addresses(search: "Exempelgatan") { label } }');
      expect(((await addresses.json()) as { errors?: unknown }).errors).toBeUndefined();
      expect(addresses.headers.get('cache-control')).toBe('max-age=3600, private');
      const names = await post('{ placeNames(name: "Abisko") { name } }');
      expect(((await names.json()) as { errors?: unknown }).errors).toBeUndefined();
      expect(names.headers.get('cache-control')).toBe('max-age=86400, public');
      agent.assertNoPendingInterceptors();
    } finally {
      await gw.stop();
      await agent.close();
    }
  });
});
