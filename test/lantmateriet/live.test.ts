import Keyv from 'keyv';
import type { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { geography } from '../../kit/sweden.ts';
import { createUpstream } from '../../kit/upstream.ts';
import { createAuth } from '../../subgraphs/lantmateriet/auth.ts';
import { ADDRESS_BATCH_MAX, createLantmaterietClient } from '../../subgraphs/lantmateriet/client.ts';
import { isPlausibleSweref, toSweref } from '../../subgraphs/lantmateriet/coords.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import {
  ADMIN,
  ADRESS,
  API,
  BASIC_ONLY,
  basicHeader,
  createHarness,
  fixture,
  MARKHOJD,
  OAUTH_ONLY,
  ORTNAMN,
  offlineAgent,
  type SeenRequest,
  seen,
  TOKEN_ORIGIN,
} from './harness.ts';

const json = (body: unknown) => ({
  statusCode: 200,
  data: JSON.stringify(body),
  responseOptions: { headers: { 'content-type': 'application/json' } },
});

/** A Markhöjd answer for whatever MultiPoint was posted: Z = E / 100 (so each point gets its own height). */
function markhojdEcho(calls: SeenRequest[], noDataIndex?: number) {
  return (opts: Parameters<typeof seen>[0]) => {
    const req = seen(opts);
    calls.push(req);
    const coordinates = (req.body as { coordinates: number[][] }).coordinates.map(([e, n], i) => [
      e,
      n,
      i === noDataIndex ? -9999 : e! / 100,
    ]);
    return json({
      type: 'Feature',
      geometry: { type: 'MultiPoint', coordinates },
      properties: { nodatavalue: -9999 },
    });
  };
}

function tokenEndpoint(agent: MockAgent) {
  agent
    .get(TOKEN_ORIGIN)
    .intercept({ path: '/oauth2/token', method: 'POST' })
    .reply(() => json({ access_token: 'tok-1', expires_in: 3600 }))
    .persist();
}

describe('request shapes and axis order per API (live, MockAgent)', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = offlineAgent();
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  it('Ortnamn /kriterier: namn, match, namntyp, kommunkod, maxHits, srid=3006; positions converted to WGS84', async () => {
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: (p) => p.startsWith(`${ORTNAMN}/kriterier`), method: 'GET' })
      .reply((opts) => {
        calls.push(seen(opts));
        return json(fixture('ortnamn_v2.2_kriterier_abisko_synthetic.json'));
      });
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    const result = await h.run(
      '{ placeNames(name: " Abisko ", match: STARTS_WITH, municipality: "2584", types: ["Bebyggelse", "Hav och sjö"], limit: 2) { name type language county { code } municipality { name } location { latitude longitude } } }',
    );
    expect(result.errors).toBeUndefined();
    const q = calls[0]!.url.searchParams;
    expect(calls[0]!.url.pathname).toBe(`${ORTNAMN}/kriterier`);
    expect(Object.fromEntries(q)).toEqual({
      namn: 'Abisko',
      match: 'startsWith',
      namntyp: 'Bebyggelse,Hav och sjö',
      kommunkod: '2584',
      maxHits: '2',
      srid: '3006',
    });
    // Three placements came back; limit 2 keeps two rows.
    expect(result.data!['placeNames']).toEqual([
      {
        name: 'Abisko',
        type: 'Bebyggelse',
        language: 'Svenska',
        county: { code: '25' },
        municipality: { name: 'Kiruna' },
        location: { latitude: 68.349498, longitude: 18.830588 },
      },
      {
        name: 'Abisko',
        type: 'Anläggning',
        language: 'Svenska',
        county: { code: '25' },
        municipality: { name: 'Kiruna' },
        location: { latitude: 68.358703, longitude: 18.782713 },
      },
    ]);
    await h.close();
  });

  it('Ortnamn /punkt: koordinater=N,E with punktSrid=3006 and no maxHits', async () => {
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: (p) => p.startsWith(`${ORTNAMN}/punkt`), method: 'GET' })
      .reply((opts) => {
        calls.push(seen(opts));
        return json(fixture('ortnamn_v2.2_punkt_abisko_synthetic.json'));
      });
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    const result = await h.run(
      '{ place(latitude: 68.3486, longitude: 18.8257) { nearestPlaceName { name distanceMeters } } }',
    );
    expect(result.errors).toBeUndefined();
    const q = calls[0]!.url.searchParams;
    const [n, e] = q.get('koordinater')!.split(',').map(Number) as [number, number];
    expect(n).toBeGreaterThan(e);
    expect(isPlausibleSweref({ n, e })).toBe(true);
    expect({ n, e }).toEqual({ n: 7_586_619, e: 657_438 });
    expect(q.get('punktSrid')).toBe('3006');
    expect(q.has('maxHits')).toBe(false);
    expect(result.data).toEqual({ place: { nearestPlaceName: { name: 'Abisko', distanceMeters: 224 } } });
    await h.close();
  });

  it('Markhöjd: POST /hojd with a MultiPoint in 3006, crs member, [E, N]; −9999 → null', async () => {
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: `${MARKHOJD}/hojd`, method: 'POST' })
      .reply(markhojdEcho(calls, 1));
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    const result = await h.run(`{
      a: place(latitude: 59.3293, longitude: 18.0686) { elevation }
      b: place(latitude: 68.3486, longitude: 18.8257) { elevation }
    }`);
    expect(result.errors).toBeUndefined();
    expect(calls).toHaveLength(1);
    const body = calls[0]!.body as { type: string; crs: unknown; coordinates: number[][] };
    expect(body.type).toBe('MultiPoint');
    expect(body.crs).toEqual({ type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3006' } });
    const stockholm = toSweref(59.3293, 18.0686);
    expect(body.coordinates[0]).toEqual([Math.round(stockholm.e), Math.round(stockholm.n)]);
    for (const [e, n] of body.coordinates) expect(isPlausibleSweref({ n: n!, e: e! })).toBe(true);
    expect(calls[0]!.headers['content-type']).toBe('application/json');
    expect(calls[0]!.headers['authorization']).toBe(basicHeader);
    expect(result.data).toEqual({ a: { elevation: Math.round(stockholm.e) / 100 }, b: { elevation: null } });
    await h.close();
  });

  it('administrativ indelning: kommuner/items?kommunkod=…&f=json with no crs (WGS84 default)', async () => {
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: (p) => p.startsWith(`${ADMIN}/collections/kommuner/items`), method: 'GET' })
      .reply((opts) => {
        calls.push(seen(opts));
        return json(fixture('administrativ_indelning_kommuner_0180_synthetic.json'));
      });
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    const result = await h.run('{ municipality(code: "0180") { boundary(detail: FULL) } }');
    expect(result.errors).toBeUndefined();
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toEqual({ kommunkod: '0180', f: 'json' });
    expect((result.data!['municipality'] as { boundary: { type: string } }).boundary.type).toBe(
      'MultiPolygon',
    );
    await h.close();
  });

  it('administrativ indelning: lan/items?lanskod=…; a 3006 [N, E] answer is converted to [lon, lat]', async () => {
    const ring = [
      [6_570_000, 660_000],
      [6_570_000, 690_000],
      [6_600_000, 690_000],
      [6_570_000, 660_000],
    ];
    agent
      .get(API)
      .intercept({ path: `${ADMIN}/collections/lan/items?lanskod=01&f=json`, method: 'GET' })
      .reply(() =>
        json({
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              id: 1,
              geometry: { type: 'Polygon', coordinates: [ring] },
              properties: { lanskod: '01' },
            },
          ],
        }),
      );
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    const result = await h.run('{ county(code: "01") { boundary(detail: FULL) } }');
    expect(result.errors).toBeUndefined();
    const geometry = (result.data!['county'] as { boundary: { coordinates: number[][][] } }).boundary;
    const [lon, lat] = geometry.coordinates[0]![0]!;
    expect(lon).toBeGreaterThan(17);
    expect(lon).toBeLessThan(19);
    expect(lat).toBeGreaterThan(59);
    expect(lat).toBeLessThan(60);
    await h.close();
  });

  it('Belägenhetsadress: /referens/fritext then POST / with the ids; /punkt with koordinater=N,E; Bearer token', async () => {
    tokenEndpoint(agent);
    const calls: SeenRequest[] = [];
    const pool = agent.get(API);
    pool
      .intercept({ path: (p) => p.startsWith(`${ADRESS}/referens/fritext`), method: 'GET' })
      .reply((opts) => {
        calls.push(seen(opts));
        return json(fixture('belagenhetsadress_v4.2_referens_fritext_synthetic.json'));
      });
    pool.intercept({ path: `${ADRESS}/?includeData=basinformation`, method: 'POST' }).reply((opts) => {
      calls.push(seen(opts));
      return json(fixture('belagenhetsadress_v4.2_features_synthetic.json'));
    });
    pool.intercept({ path: (p) => p.startsWith(`${ADRESS}/punkt`), method: 'GET' }).reply((opts) => {
      calls.push(seen(opts));
      return json(fixture('belagenhetsadress_v4.2_features_synthetic.json'));
    });
    const h = createHarness({ env: OAUTH_ONLY, dispatcher: agent });
    const result = await h.run(`{
      addresses(search: "Exempelgatan", municipality: "0180", limit: 5) {
        id label street number letter postalCode postalTown municipality { name } location { latitude longitude }
      }
      place(latitude: 59.33023, longitude: 18.05919) { nearestAddress { label distanceMeters } }
    }`);
    expect(result.errors).toBeUndefined();
    const fritext = calls.find((c) => c.url.pathname.endsWith('/referens/fritext'));
    const post = calls.find((c) => c.method === 'POST');
    const punkt = calls.find((c) => c.url.pathname.endsWith('/punkt'));
    expect(Object.fromEntries(fritext!.url.searchParams)).toEqual({
      adress: 'Exempelgatan',
      kommunkod: '0180',
      maxHits: '5',
    });
    expect(post!.body).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
    ]);
    const [n, e] = punkt!.url.searchParams.get('koordinater')!.split(',').map(Number) as [number, number];
    expect(n).toBeGreaterThan(e);
    expect(punkt!.url.searchParams.get('punktSrid')).toBe('3006');
    for (const c of calls) expect(c.headers['authorization']).toBe('Bearer tok-1');
    const addresses = result.data?.['addresses'] as Array<Record<string, unknown>>;
    expect(addresses[0]).toMatchObject({
      id: '00000000-0000-4000-8000-000000000001',
      label: 'Exempelgatan 12B, 111 22 Stockholm',
      street: 'Exempelgatan',
      number: '12',
      letter: 'B',
      postalCode: '11122',
      postalTown: 'Stockholm',
      municipality: { name: 'Stockholm' },
    });
    expect(addresses).toHaveLength(2);
    const place = result.data?.['place'] as { nearestAddress: { label: string; distanceMeters: number } };
    expect(place.nearestAddress.label).toBe('Exempelgatan 12B, 111 22 Stockholm');
    expect(place.nearestAddress.distanceMeters).toBeLessThanOrEqual(1);
    await h.close();
  });
});

describe('batching', () => {
  let agent: MockAgent;
  beforeEach(() => {
    agent = offlineAgent();
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  it('sends the elevations of all centroids of a county as ONE Markhöjd request (through the gateway)', async () => {
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: `${MARKHOJD}/hojd`, method: 'POST' })
      .reply(markhojdEcho(calls));
    const gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live', ...BASIC_ONLY }, dispatcher: agent });
    try {
      const body = await gw.query<{
        municipalities: Array<{ code: string; centroid: { elevation: number } }>;
      }>('{ municipalities(county: "25") { code centroid { elevation } } }');
      expect(body.errors).toBeUndefined();
      expect(calls).toHaveLength(1);
      const coordinates = (calls[0]!.body as { coordinates: number[][] }).coordinates;
      expect(coordinates).toHaveLength(14);
      // Every answer went back to its own municipality.
      for (const m of body.data!.municipalities) {
        const c = geography().municipalities.get(m.code)!.centroid;
        expect(m.centroid.elevation).toBe(Math.round(toSweref(c.latitude, c.longitude).e) / 100);
      }
    } finally {
      await gw.stop();
    }
  });

  it('splits more than 1 000 points into requests of at most 1 000 (all 290 centroids ×4 offsets)', async () => {
    const calls: SeenRequest[] = [];
    agent
      .get(API)
      .intercept({ path: `${MARKHOJD}/hojd`, method: 'POST' })
      .reply(markhojdEcho(calls))
      .times(2);
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    const offsets = [0, 0.01, 0.02, 0.03];
    const fields = [...geography().municipalities.values()].flatMap((m, i) =>
      offsets.map(
        (d, j) =>
          `p${i}_${j}: place(latitude: ${m.centroid.latitude + d}, longitude: ${m.centroid.longitude}) { elevation }`,
      ),
    );
    const result = await h.run(`{ ${fields.join('\n')} }`);
    expect(result.errors).toBeUndefined();
    expect(calls.map((c) => (c.body as { coordinates: unknown[] }).coordinates.length)).toEqual([1000, 160]);
    await h.close();
  });

  it('fetches address details in POST batches of at most 250 ids', async () => {
    tokenEndpoint(agent);
    const bodies: string[][] = [];
    agent
      .get(API)
      .intercept({ path: `${ADRESS}/?includeData=basinformation`, method: 'POST' })
      .reply((opts) => {
        const ids = seen(opts).body as string[];
        bodies.push(ids);
        return json({
          type: 'FeatureCollection',
          features: ids.map((id) => ({
            type: 'Feature',
            id,
            geometry: null,
            properties: { objektidentitet: id },
          })),
        });
      })
      .times(2);
    const auth = createAuth({
      credentials: { consumerKey: 'k', consumerSecret: 's' },
      tokenUrl: `${TOKEN_ORIGIN}/oauth2/token`,
      dispatcher: agent,
      logger: silentLogger,
    });
    const address = createUpstream({
      agency: 'lantmateriet',
      baseUrl: `${API}${ADRESS}`,
      cache: new Keyv(),
      logger: silentLogger,
      dispatcher: agent,
      headers: auth.headersFor({
        product: 'Belägenhetsadress Direkt v4.2',
        purpose: 'addresses',
        accepts: ['oauth2'],
      }),
    });
    const unused = createUpstream({
      agency: 'lantmateriet',
      baseUrl: API,
      cache: new Keyv(),
      logger: silentLogger,
      dispatcher: agent,
    });
    const client = createLantmaterietClient({
      mode: 'live',
      auth,
      upstreams: { address, ortnamn: unused, markhojd: unused, admin: unused },
    });
    const ids = Array.from({ length: 300 }, (_, i) => `id-${i}`);
    const rows = await client.addressesByIds(ids);
    expect(bodies.map((b) => b.length)).toEqual([ADDRESS_BATCH_MAX, 50]);
    expect(rows.map((r) => r.id)).toEqual(ids);
  });
});

describe('bad input is rejected before any upstream call', () => {
  const agent = offlineAgent();
  const h = createHarness({ env: { ...BASIC_ONLY, ...OAUTH_ONLY }, dispatcher: agent });

  it.each([
    ['{ addresses(search: "ab") { id } }', /at least|3–200 characters/],
    ['{ addresses(search: "Storgatan", limit: 101) { id } }', /limit must be an integer from 1 to 100/],
    ['{ addresses(search: "Storgatan", municipality: "9999") { id } }', /Unknown municipality/],
    ['{ placeNames(name: "  ") { name } }', /search term is required/],
    ['{ placeNames(name: "Abisko", limit: 401) { name } }', /from 1 to 400/],
    ['{ placeNames(name: "Abisko", types: ["a,b"]) { name } }', /unknown name type "a,b".*"Bebyggelse"/],
    // A misspelt type would silently match nothing upstream.
    ['{ placeNames(name: "Abisko", types: ["Tatort"]) { name } }', /unknown name type "Tatort".*"Tätort"/],
    ['{ placeNames(name: "Abisko", municipality: "25") { name } }', /malformed/],
  ])('%s', async (query, message) => {
    const result = await h.run(query);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(h.events).toHaveLength(0);
  });
});

describe('addresses are personal data: never kept beyond a day, never served stale', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refetches after the 1-day TTL and does not fall back to the expired answer when the upstream fails', async () => {
    // The cache store expires entries by Date.now(): fake the date (only) so both clocks agree.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-11-26T12:00:00Z'));
    const agent = offlineAgent();
    tokenEndpoint(agent);
    const cache = new Keyv();
    const pool = agent.get(API);
    const path = `${ADRESS}/referens/fritext?adress=Exempelgatan&maxHits=10`;
    pool.intercept({ path, method: 'GET' }).reply(() => json([]));
    pool.intercept({ path, method: 'GET' }).reply(503, 'down').times(3);
    const h = createHarness({ env: OAUTH_ONLY, dispatcher: agent, now: () => Date.now(), cache });
    expect((await h.run('{ addresses(search: "Exempelgatan") { id } }')).data).toEqual({ addresses: [] });
    vi.setSystemTime(Date.now() + 24 * 60 * 60_000 - 1);
    expect((await h.run('{ addresses(search: "Exempelgatan") { id } }')).data).toEqual({ addresses: [] });
    // One day and one millisecond after it was fetched (at exactly one day the entry is still within its TTL).
    vi.setSystemTime(Date.now() + 2);
    const failed = await h.run('{ addresses(search: "Exempelgatan") { id } }');
    expect(failed.data).toEqual({ addresses: null });
    expect(failed.errors?.[0]?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(failed.trace.stale.size).toBe(0);
    agent.assertNoPendingInterceptors();
    await h.close();
    await agent.close();
  });
});
