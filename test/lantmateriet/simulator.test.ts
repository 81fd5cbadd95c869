import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Polygonal, pointInPolygon } from '../../kit/geo.ts';
import type { OfflineDispatcher } from '../../kit/simulator.ts';
import { geography } from '../../kit/sweden.ts';
import { toSweref, toWgs84 } from '../../subgraphs/lantmateriet/coords.ts';
import { projectTo } from '../../subgraphs/lantmateriet/simulator/crs.ts';
import { shapeDifferences } from '../helpers/shape.ts';
import { BASIC_ONLY, basicHeader, fixture } from './harness.ts';
import {
  bearer,
  dispatcherFor,
  multiPoint,
  NOW,
  offlineClientBasic,
  send,
  simulator,
  TOKEN_URL,
  URLS,
} from './sim-helpers.ts';

type Json = Record<string, unknown>;
const features = (body: unknown) => (body as { features: Json[] }).features;
const props = (f: Json) => f['properties'] as Json;

describe('Lantmäteriet simulator: OAuth2 token endpoint and credentials', () => {
  const sim = simulator(BASIC_ONLY);
  const d = dispatcherFor(sim);
  afterAll(() => d.close());

  it('exchanges the client credentials (Basic, form body) for a Bearer token in the OAuth2 shape', async () => {
    const res = await send(d, TOKEN_URL, {
      method: 'POST',
      headers: { authorization: offlineClientBasic, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f-]{36}$/),
      scope: 'am_application_scope default',
      token_type: 'Bearer',
      expires_in: 3600,
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('also takes client_secret_post, and refuses a wrong secret or grant type', async () => {
    const post = await send(d, TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=offline-demo&client_secret=offline-demo-not-a-secret',
    });
    expect(post.status).toBe(200);
    const wrong = await send(d, TOKEN_URL, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('offline-demo:nope').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({
      error: 'invalid_client',
      error_description: 'Client Authentication failed.',
    });
    const grant = await send(d, TOKEN_URL, {
      method: 'POST',
      headers: { authorization: offlineClientBasic },
      body: 'grant_type=password',
    });
    expect(grant.status).toBe(400);
    expect((grant.json as Json)['error']).toBe('unsupported_grant_type');
  });

  it('answers 401 in the API gateway shape without credentials, with an unknown or expired token', async () => {
    const url = `${URLS.ortnamn}/kriterier?namn=Abisko`;
    const none = await send(d, url);
    expect(none.status).toBe(401);
    expect(none.json).toEqual({
      fault: { code: 900902, message: 'Missing Credentials', description: expect.stringContaining('Bearer') },
    });
    const unknown = await send(d, url, { headers: { authorization: 'Bearer not-a-token' } });
    expect(unknown.status).toBe(401);
    expect((unknown.json as { fault: Json }).fault['code']).toBe(900901);
    // A token issued an hour and a bit ago has expired.
    let now = NOW;
    const clocked = simulator(BASIC_ONLY, () => now);
    const cd = dispatcherFor(clocked, () => now);
    const token = await bearer(cd);
    expect((await send(cd, url, { headers: token })).status).toBe(200);
    now = NOW + 3601_000;
    expect((await send(cd, url, { headers: token })).status).toBe(401);
    await cd.close();
  });

  it('takes the configured Basic user on Ortnamn, Markhöjd and boundaries, but not on addresses (OAuth2 only)', async () => {
    const h = { authorization: basicHeader };
    expect((await send(d, `${URLS.ortnamn}/kriterier?namn=Abisko`, { headers: h })).status).toBe(200);
    expect(
      (
        await send(d, `${URLS.markhojd}/hojd`, {
          method: 'POST',
          headers: h,
          body: multiPoint([[674572, 6580743]]),
        })
      ).status,
    ).toBe(200);
    expect(
      (await send(d, `${URLS.admin}/collections/kommuner/items?kommunkod=0180`, { headers: h })).status,
    ).toBe(200);
    const addr = await send(d, `${URLS.address}/referens/fritext?adress=Storgatan`, { headers: h });
    expect(addr.status).toBe(401);
    expect(JSON.stringify(addr.json)).toMatch(/OAuth2 access tokens only/);
    const wrong = await send(d, `${URLS.ortnamn}/kriterier?namn=Abisko`, {
      headers: { authorization: `Basic ${Buffer.from('someone:else').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    // The OGC collection list is public (reference §2.5); items are not.
    expect((await send(d, `${URLS.admin}/collections`)).status).toBe(200);
    expect((await send(d, `${URLS.admin}/collections/lan/items?lanskod=25`)).status).toBe(401);
  });
});

describe('Lantmäteriet simulator: conformance with the fixtures (same keys, types, nesting)', () => {
  const sim = simulator();
  const d = dispatcherFor(sim);
  let auth: Record<string, string>;
  beforeAll(async () => {
    auth = await bearer(d);
  });
  afterAll(() => d.close());

  // The two real Lantmäteriet recordings (`/work/shared/fixtures/recorded/lantmateriet/*.geojson`) are
  // GDAL exports of downloaded files, not API responses: they are used below for positions, not shapes.

  it('Ortnamn /kriterier answers in the shape of ortnamn_v2.2_kriterier_abisko_synthetic.json', async () => {
    const res = await send(d, `${URLS.ortnamn}/kriterier?namn=Abisko&match=equals&maxHits=10&srid=3006`, {
      headers: auth,
    });
    expect(res.status).toBe(200);
    expect(shapeDifferences(res.json, fixture('ortnamn_v2.2_kriterier_abisko_synthetic.json'))).toEqual([]);
    expect(features(res.json).map((f) => props(f)['namntyp'])).toEqual(['Bebyggelse', 'Anläggning']);
  });

  it('Ortnamn /punkt answers in the shape of ortnamn_v2.2_punkt_abisko_synthetic.json', async () => {
    const res = await send(d, `${URLS.ortnamn}/punkt?koordinater=7586619,657438&punktSrid=3006&srid=3006`, {
      headers: auth,
    });
    expect(shapeDifferences(res.json, fixture('ortnamn_v2.2_punkt_abisko_synthetic.json'))).toEqual([]);
    expect(features(res.json)).toHaveLength(1);
    expect(props(features(res.json)[0]!)['namn']).toBe('Abisko');
  });

  it.each([
    'markhojd_v1_hojd_abisko_synthetic.json',
    'markhojd_v1_hojd_jokkmokk_synthetic.json',
    'markhojd_v1_hojd_stockholm_synthetic.json',
  ])('Markhöjd POST /hojd answers in the shape of %s, echoing the [E, N] asked for', async (name) => {
    const recorded = fixture(name) as { geometry: { coordinates: number[][] } };
    const points = recorded.geometry.coordinates.map(([e, n]) => [e!, n!]);
    const res = await send(d, `${URLS.markhojd}/hojd`, {
      method: 'POST',
      headers: auth,
      body: multiPoint(points),
    });
    expect(shapeDifferences(res.json, recorded)).toEqual([]);
    const answered = (res.json as { geometry: { coordinates: number[][] } }).geometry.coordinates;
    expect(answered.map(([e, n]) => [e, n])).toEqual(points);
  });

  it('administrativ-indelning kommuner/items answers in the shape of the 0180 fixture', async () => {
    const res = await send(d, `${URLS.admin}/collections/kommuner/items?kommunkod=0180&f=json`, {
      headers: auth,
    });
    // `links` is an empty array in the fixture, so its items are not compared.
    expect(
      shapeDifferences(res.json, fixture('administrativ_indelning_kommuner_0180_synthetic.json')),
    ).toEqual([]);
    expect(res.headers['content-crs']).toBe('<http://www.opengis.net/def/crs/OGC/1.3/CRS84>');
  });

  it('Belägenhetsadress /referens/fritext and POST / answer in the shapes of the two address fixtures', async () => {
    const street = sim.data.addresses.streets('0180')[0]!;
    const refs = await send(
      d,
      `${URLS.address}/referens/fritext?adress=${encodeURIComponent(street.name)}&kommunkod=0180&maxHits=3`,
      {
        headers: auth,
      },
    );
    expect(refs.status).toBe(200);
    expect(
      shapeDifferences(refs.json, fixture('belagenhetsadress_v4.2_referens_fritext_synthetic.json')),
    ).toEqual([]);
    const ids = (refs.json as Array<{ objektidentitet: string }>).map((r) => r.objektidentitet);
    expect(ids).toHaveLength(3);
    const full = await send(d, `${URLS.address}/?includeData=basinformation`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(ids),
    });
    expect(shapeDifferences(full.json, fixture('belagenhetsadress_v4.2_features_synthetic.json'))).toEqual(
      [],
    );
    expect(features(full.json).map((f) => f['id'])).toEqual(ids);
    // postnummer is an integer, not a zero-padded string (reference §2.1).
    const attr = props(features(full.json)[0]!)['adressplatsattribut'] as Json;
    expect(typeof attr['postnummer']).toBe('number');
  });

  it('places the real Topografi buildings (GDAL [E, N] in 3006) on Swedish land, and the Skåne roads low', async () => {
    const byggnad = JSON.parse(
      readFileSync(
        '/work/shared/fixtures/recorded/lantmateriet/ifk_topografi_byggnad_subset.geojson',
        'utf8',
      ),
    ) as { features: Array<{ geometry: { coordinates: number[][][][] } }> };
    const points = byggnad.features.map((f) => f.geometry.coordinates[0]![0]![0]!.slice(0, 2));
    const res = await send(d, `${URLS.markhojd}/hojd`, {
      method: 'POST',
      headers: auth,
      body: multiPoint(points),
    });
    const heights = (res.json as { geometry: { coordinates: number[][] } }).geometry.coordinates.map(
      (p) => p[2],
    );
    expect(heights).toHaveLength(14);
    for (const h of heights) expect(h).toBeGreaterThanOrEqual(0);
    const vaglinje = JSON.parse(
      readFileSync(
        '/work/shared/fixtures/recorded/lantmateriet/ifk_topografi_vaglinje_subset.geojson',
        'utf8',
      ),
    ) as { features: Array<{ geometry: { coordinates: number[][][] } }> };
    const roads = vaglinje.features.map((f) => f.geometry.coordinates[0]![0]!.slice(0, 2));
    const low = await send(d, `${URLS.markhojd}/hojd`, {
      method: 'POST',
      headers: auth,
      body: multiPoint(roads),
    });
    for (const p of (low.json as { geometry: { coordinates: number[][] } }).geometry.coordinates) {
      expect(p[2]).toBeGreaterThanOrEqual(0);
      expect(p[2]).toBeLessThan(200);
    }
  });
});

describe('Lantmäteriet simulator: what it serves', () => {
  const sim = simulator();
  const d: OfflineDispatcher = dispatcherFor(sim);
  let auth: Record<string, string>;
  beforeAll(async () => {
    auth = await bearer(d);
  });
  afterAll(() => d.close());
  const get = (url: string) => send(d, url, { headers: auth });

  it('Ortnamn filters by match, municipality, county and name type, and honours maxHits', async () => {
    const lakes = await get(`${URLS.ortnamn}/kriterier?namn=sjön&match=endsWith&kommunkod=0380&maxHits=400`);
    const names = features(lakes.json).map(props);
    const register = sim.data.names.inMunicipality('0380').filter((e) => e.name.endsWith('sjön'));
    expect(names.length).toBe(register.length);
    expect(names.length).toBeGreaterThan(1);
    for (const n of names) {
      expect(n['namn']).toMatch(/sjön$/);
      expect(n['kommunkod']).toBe('0380');
      expect(n['kommunnamn']).toBe('Uppsala');
      expect(n['lankod']).toBe('03');
    }
    const all = await get(`${URLS.ortnamn}/kriterier?namn=sjön&match=endsWith&maxHits=400`);
    expect(features(all.json).length).toBeGreaterThan(names.length);
    const typed = await get(
      `${URLS.ortnamn}/kriterier?namn=berg&match=contains&namntyp=Bebyggelse&lankod=25&maxHits=50`,
    );
    for (const n of features(typed.json).map(props)) {
      expect(n['namntyp']).toBe('Bebyggelse');
      expect(n['lankod']).toBe('25');
      expect(String(n['namn']).toLowerCase()).toContain('berg');
    }
    const few = await get(`${URLS.ortnamn}/kriterier?namn=S&match=startsWith&maxHits=3`);
    expect(features(few.json)).toHaveLength(3);
    // Real names: municipalities (SCB names) and counties.
    const kiruna = await get(`${URLS.ortnamn}/kriterier?namn=kiruna&match=equals`);
    expect(features(kiruna.json).map((f) => [props(f)['namn'], props(f)['namntyp']])).toEqual([
      ['Kiruna', 'Tätort'],
    ]);
    const lan = await get(`${URLS.ortnamn}/kriterier?namn=Norrbottens%20län`);
    expect(props(features(lan.json)[0]!)['namntyp']).toBe('Trakt');
  });

  it('Ortnamn /punkt gives the single nearest name; output SRIDs 3007–3018 work, 4326 is refused', async () => {
    const entry = sim.data.names.inMunicipality('1480').find((e) => !e.real)!;
    const p = entry.placements[0]!;
    const res = await get(`${URLS.ortnamn}/punkt?koordinater=${p.n},${p.e}&punktSrid=3006`);
    expect(features(res.json).map((f) => props(f)['namn'])).toEqual([entry.name]);
    // Swapped axes are nowhere near Sweden: nothing.
    const swapped = await get(`${URLS.ortnamn}/punkt?koordinater=${p.e},${p.n}&punktSrid=3006`);
    expect(features(swapped.json)).toEqual([]);
    const local = await get(`${URLS.ortnamn}/kriterier?namn=Abisko&srid=3014`);
    const [e, n] = (
      props(features(local.json)[0]!)['placering'] as Array<{ punkt: { coordinates: number[] } }>
    )[0]!.punkt.coordinates as [number, number];
    // SWEREF 99 17 15: false easting 150 000 m, Abisko ≈ 1.6° east of 17.25° E.
    expect(e).toBeGreaterThan(150_000);
    expect(e).toBeLessThan(250_000);
    expect(n).toBeGreaterThan(7_500_000);
    const refused = await get(`${URLS.ortnamn}/kriterier?namn=Abisko&srid=4326`);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.json)).toContain('Reference system not supported: 4326');
    const point4326 = await get(`${URLS.ortnamn}/punkt?koordinater=68.35,18.83&punktSrid=4326`);
    expect(point4326.status).toBe(400);
    expect(JSON.stringify(point4326.json)).toContain('Reference system not supported: 4326');
  });

  it.each([
    ['maxHits above 400', `/kriterier?namn=Abisko&maxHits=401`, /maxHits/],
    ['no search term', `/kriterier?match=equals`, /namn/],
    ['an unknown match', `/kriterier?namn=Abisko&match=fuzzy`, /match/],
    ['maxHits with a point', `/punkt?koordinater=7586619,657438&maxHits=1`, /maxHits/],
    ['no point', `/punkt?punktSrid=3006`, /koordinater/],
  ])('Ortnamn answers 400 for %s', async (_, path, text) => {
    const res = await get(`${URLS.ortnamn}${path}`);
    expect(res.status).toBe(400);
    expect((res.json as { fault: Json }).fault).toMatchObject({ code: 400, message: 'Bad Request' });
    expect(JSON.stringify(res.json)).toMatch(text);
  });

  it('Belägenhetsadress: free text, municipality filter, by id, nearest; 400 and 404 in the fault shape', async () => {
    const street = sim.data.addresses.streets('2480')[2]!;
    const hit = await get(
      `${URLS.address}/referens/fritext?adress=${encodeURIComponent(`${street.name} 3 Umeå`)}&kommunkod=2480&splitAdress=true`,
    );
    const refs = hit.json as Array<{ objektidentitet: string; adress: string; adressComponents: Json }>;
    expect(refs.length).toBeGreaterThan(0);
    for (const r of refs) {
      expect(r.adress).toMatch(new RegExp(`^Umeå Umeå ${street.name} 3[AB]? \\d{5} Umeå$`));
      expect(r.adressComponents).toMatchObject({
        kommun: 'Umeå',
        adressomrade: street.name,
        adressplatsnummer: '3',
      });
    }
    // Västerbotten postcodes start with 90–93.
    expect(String(refs[0]!.adressComponents['postnummer'])).toMatch(/^9[0-3]\d{3}$/);
    const elsewhere = await get(
      `${URLS.address}/referens/fritext?adress=${encodeURIComponent(street.name)}&kommunkod=0180`,
    );
    for (const r of elsewhere.json as Array<{ adress: string }>) expect(r.adress).toMatch(/^Stockholm /);
    const one = await get(`${URLS.address}/${refs[0]!.objektidentitet}?includeData=total`);
    expect(features(one.json)).toHaveLength(1);
    expect(props(features(one.json)[0]!)['registerenhetsreferens']).toMatchObject({ typ: 'Fastighet' });
    const missing = await get(`${URLS.address}/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect((missing.json as { fault: Json }).fault).toMatchObject({ code: 404, message: 'Not Found' });
    const a = sim.data.addresses.addressesOf(street)[4]!;
    const near = await get(
      `${URLS.address}/punkt?koordinater=${a.point.n + 3},${a.point.e - 2}&punktSrid=3006`,
    );
    expect(features(near.json).map((f) => f['id'])).toEqual([a.id]);
    const short = await get(`${URLS.address}/referens/fritext?adress=ab`);
    expect(short.status).toBe(400);
    const tooMany = await send(d, `${URLS.address}/`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(Array.from({ length: 251 }, (_, i) => `id-${i}`)),
    });
    expect(tooMany.status).toBe(400);
    const srid = await get(`${URLS.address}/punkt?koordinater=63.8,20.2&punktSrid=4326`);
    expect(srid.status).toBe(400);
    expect(JSON.stringify(srid.json)).toContain('Reference system not supported: 4326');
  });

  it('Markhöjd: GET one point (N,E), POST ≤ 1 000 points; 4326 and 1 001 points are 400; abroad is no data', async () => {
    const stockholm = toSweref(59.3293, 18.0686);
    const one = await get(`${URLS.markhojd}/hojd?koordinater=${stockholm.n},${stockholm.e}&punktSrid=3006`);
    const z = (one.json as { geometry: { coordinates: number[] } }).geometry.coordinates[2]!;
    expect(z).toBeGreaterThanOrEqual(0);
    expect(z).toBeLessThanOrEqual(60);
    const post = (body: string) => send(d, `${URLS.markhojd}/hojd`, { method: 'POST', headers: auth, body });
    const wgs = await post(multiPoint([[18.07, 59.33]], 4326));
    expect(wgs.status).toBe(400);
    expect(JSON.stringify(wgs.json)).toContain('Reference system not supported: 4326');
    const grid = Array.from({ length: 1000 }, (_, i) => [
      600_000 + (i % 40) * 1000,
      6_600_000 + Math.floor(i / 40) * 1000,
    ]);
    expect((await post(multiPoint(grid))).status).toBe(200);
    expect((await post(multiPoint([...grid, [600_000, 6_700_000]]))).status).toBe(400);
    // The Norwegian Sea, Oslo and Helsinki have no Swedish ground height.
    const abroad = [toSweref(63, 5), toSweref(59.91, 10.75), toSweref(60.17, 24.94)].map((p) => [p.e, p.n]);
    const res = await post(multiPoint(abroad));
    expect(
      (res.json as { geometry: { coordinates: number[][] } }).geometry.coordinates.map((p) => p[2]),
    ).toEqual([-9999, -9999, -9999]);
    // A local zone in (SWEREF 99 18 00), the same ground height out.
    const zone = projectTo(3011, 59.3293, 18.0686);
    const local = await post(
      JSON.stringify({
        type: 'Point',
        crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3011' } },
        coordinates: [zone.e, zone.n],
      }),
    );
    expect(zone.e).toBeGreaterThan(150_000);
    expect((local.json as { geometry: { coordinates: number[] } }).geometry.coordinates[2]).toBeCloseTo(z, 0);
  });

  it('boundaries: real outlines, [N, E] with crs=…/3006, filters, paging, 400 and 404 in the OGC shape', async () => {
    const kommun = await get(`${URLS.admin}/collections/kommuner/items?kommunkod=2584&f=json`);
    const feature = features(kommun.json)[0]!;
    expect(feature['id']).toBe(2584);
    expect(props(feature)).toMatchObject({ beslutatNamn: 'Kiruna', kommunkod: '2584', lanskod: '25' });
    const embedded = geography().municipalities.get('2584')!.geometry;
    const expected = embedded.type === 'Polygon' ? [embedded.coordinates] : embedded.coordinates;
    expect((feature['geometry'] as { coordinates: unknown }).coordinates).toEqual(expected);
    const sweref = await get(
      `${URLS.admin}/collections/kommuner/items?kommunkod=0180&crs=http://www.opengis.net/def/crs/EPSG/0/3006`,
    );
    expect(sweref.headers['content-crs']).toBe('<http://www.opengis.net/def/crs/EPSG/0/3006>');
    const [n, e] = (features(sweref.json)[0]!['geometry'] as { coordinates: number[][][][] })
      .coordinates[0]![0]![0]!;
    expect(n).toBeGreaterThan(e!);
    expect(n).toBeGreaterThan(6_500_000);
    const county = await get(`${URLS.admin}/collections/kommuner/items?lanskod=25&limit=5`);
    expect(county.json).toMatchObject({ numberMatched: 14, numberReturned: 5 });
    expect((county.json as { links: Array<{ rel: string }> }).links.map((l) => l.rel)).toContain('next');
    const lan = await get(`${URLS.admin}/collections/lan/items?lanskod=14`);
    expect(props(features(lan.json)[0]!)).toMatchObject({
      lansbokstav: 'O',
      beslutatNamn: 'Västra Götalands län',
    });
    const rike = await get(`${URLS.admin}/collections/rike/items`);
    expect(props(features(rike.json)[0]!)['totalareal_varde']).toBeGreaterThan(400_000);
    const badCrs = await get(
      `${URLS.admin}/collections/kommuner/items?crs=http://www.opengis.net/def/crs/EPSG/0/3857`,
    );
    expect(badCrs.status).toBe(400);
    expect(badCrs.json).toMatchObject({ code: 'InvalidParameterValue' });
    expect((await get(`${URLS.admin}/collections/socknar/items`)).status).toBe(404);
    expect((await get(`${URLS.admin}/collections/kommuner/items/9999`)).status).toBe(404);
    expect((await get(`${URLS.admin}/collections/kommuner/items/180`)).status).toBe(200);
  });

  it('county outlines are dissolved from their municipalities: every municipality centroid lies inside', async () => {
    for (const county of geography().counties.values()) {
      const res = await get(`${URLS.admin}/collections/lan/items?lanskod=${county.code}`);
      const geometry = features(res.json)[0]!['geometry'] as Polygonal;
      for (const code of county.municipalityCodes) {
        const { latitude, longitude } = geography().municipalities.get(code)!.centroid;
        expect(pointInPolygon(geometry, longitude, latitude), `${code} in ${county.code}`).toBe(true);
      }
    }
  });

  it('answers unknown resources with 404 and unsupported methods with 405', async () => {
    expect((await get(`${URLS.ortnamn}/sok`)).status).toBe(404);
    expect((await get(`${URLS.markhojd}/punkt`)).status).toBe(404);
    expect(
      (await send(d, `${URLS.ortnamn}/kriterier?namn=x`, { method: 'POST', headers: auth })).status,
    ).toBe(405);
  });
});

describe('Lantmäteriet simulator: determinism', () => {
  it('two instances with the same clock answer the same request with the same bytes', async () => {
    const bodies: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const d = dispatcherFor(simulator());
      const auth = await bearer(d);
      const stockholm = toSweref(59.33, 18.07);
      const answers = await Promise.all([
        send(d, `${URLS.ortnamn}/kriterier?namn=S&match=startsWith&maxHits=50`, { headers: auth }),
        send(d, `${URLS.ortnamn}/punkt?koordinater=${Math.round(stockholm.n)},${Math.round(stockholm.e)}`, {
          headers: auth,
        }),
        send(d, `${URLS.address}/referens/fritext?adress=vägen&kommunkod=1280&maxHits=20`, { headers: auth }),
        send(d, `${URLS.address}/punkt?koordinater=${Math.round(stockholm.n)},${Math.round(stockholm.e)}`, {
          headers: auth,
        }),
        send(d, `${URLS.markhojd}/hojd`, {
          method: 'POST',
          headers: auth,
          body: multiPoint([
            [674572, 6580743],
            [657438, 7586619],
          ]),
        }),
        send(d, `${URLS.admin}/collections/lan/items?lanskod=01`, { headers: auth }),
      ]);
      bodies.push([auth['authorization']!, ...answers.map((a) => a.text)]);
      await d.close();
    }
    expect(bodies[0]).toEqual(bodies[1]);
  });

  it('converts its own positions back to where they were generated (WGS84 ⇄ 3006 round trip)', () => {
    const entry = simulator().data.names.inMunicipality('0114')[0]!;
    const w = toWgs84(entry.placements[0]!);
    const p = toSweref(w.latitude, w.longitude);
    expect(Math.abs(p.n - entry.placements[0]!.n)).toBeLessThan(0.01);
  });
});
