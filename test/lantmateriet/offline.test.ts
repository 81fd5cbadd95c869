import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeForUpstream, UpstreamError } from '../../kit/errors.ts';
import { type Polygonal, pointInPolygon } from '../../kit/geo.ts';
import { silentLogger } from '../../kit/logger.ts';
import { OfflineDispatcher } from '../../kit/simulator.ts';
import { geography } from '../../kit/sweden.ts';
import { createUpstream } from '../../kit/upstream.ts';
import { ADDRESS, ADMIN, createAuth, MARKHOJD, ORTNAMN } from '../../subgraphs/lantmateriet/auth.ts';
import { createLantmaterietClient, type LantmaterietClient } from '../../subgraphs/lantmateriet/client.ts';
import { roundSweref, toSweref, toWgs84 } from '../../subgraphs/lantmateriet/coords.ts';
import type { LantmaterietSimulator } from '../../subgraphs/lantmateriet/simulator/index.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { BASIC_ONLY, captureLogger, createHarness, type Harness, OAUTH_ONLY, SECRETS } from './harness.ts';
import { dispatcherFor, NOW, recording, type SimCall, simulator, TOKEN_URL, URLS } from './sim-helpers.ts';

type Row = Record<string, unknown>;
const centroid = (code: string) => geography().municipalities.get(code)!.centroid;

/** The subgraph in offline mode (no credentials configured) over a recorded simulator. */
function offlineHarness(env: Record<string, string> = {}): {
  h: Harness;
  sim: LantmaterietSimulator;
  calls: SimCall[];
  dispatcher: OfflineDispatcher;
} {
  const { sim, calls } = recording(simulator(env));
  const dispatcher = dispatcherFor(sim);
  const h = createHarness({ env, mode: 'offline', dispatcher, now: () => NOW });
  return { h, sim, calls, dispatcher };
}

describe('the Lantmäteriet client against the simulator (offline mode, fake offline credentials)', () => {
  const { h, sim, calls, dispatcher } = offlineHarness();
  afterAll(async () => {
    await h.close();
    await dispatcher.close();
  });

  it('exchanges the offline client credentials for a token once and reuses it for every API', async () => {
    const query = `{
      placeNames(name: "Abisko") { name }
      addresses(search: "${sim.data.addresses.streets('0180')[0]!.name}", municipality: "0180", limit: 2) { id }
      municipality(code: "2584") { boundary(detail: FULL) county { boundary(detail: FULL) }
        centroid { elevation nearestPlaceName { name } nearestAddress { id } } }
    }`;
    const first = await h.run(query);
    expect(first.errors).toBeUndefined();
    const tokenCalls = () => calls.filter((c) => c.base === TOKEN_URL);
    expect(tokenCalls()).toHaveLength(1);
    expect(tokenCalls()[0]!.body).toBe('grant_type=client_credentials');
    expect(sim.data.tokens.issued()).toBe(1);
    // Every API was called (with the Bearer token: the simulator refuses anything else).
    for (const base of Object.values(URLS)) expect(calls.some((c) => c.base === base)).toBe(true);
    await h.run('{ place(latitude: 59.33, longitude: 18.07) { elevation nearestPlaceName { name } } }');
    expect(tokenCalls()).toHaveLength(1);
  });

  it('placeNames(name: "Abisko"): the two Abisko names in Kiruna, one row per placement', async () => {
    const res = await h.run(
      '{ placeNames(name: "Abisko") { name type language municipality { code } county { name } location { latitude longitude } distanceMeters } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!['placeNames']).toEqual([
      {
        name: 'Abisko',
        type: 'Bebyggelse',
        language: 'Svenska',
        municipality: { code: '2584' },
        county: { name: 'Norrbottens län' },
        location: { latitude: 68.349498, longitude: 18.830588 },
        distanceMeters: null,
      },
      {
        name: 'Abisko',
        type: 'Anläggning',
        language: 'Svenska',
        municipality: { code: '2584' },
        county: { name: 'Norrbottens län' },
        location: { latitude: 68.358703, longitude: 18.782713 },
        distanceMeters: null,
      },
      {
        name: 'Abisko',
        type: 'Anläggning',
        language: 'Svenska',
        municipality: { code: '2584' },
        county: { name: 'Norrbottens län' },
        location: { latitude: 68.353998, longitude: 18.816504 },
        distanceMeters: null,
      },
    ]);
  });

  it('placeNames by municipality and type: only that municipality, and exactly what the register holds', async () => {
    const res = await h.run(
      '{ placeNames(name: "b", match: STARTS_WITH, municipality: "2584", types: ["bebyggelse"], limit: 400) { name type municipality { code } location { municipality { code } } } }',
    );
    expect(res.errors).toBeUndefined();
    const rows = res.data!['placeNames'] as Array<{
      name: string;
      type: string;
      municipality: { code: string };
    }>;
    const expected = sim.data.names
      .inMunicipality('2584')
      .filter((e) => e.type === 'Bebyggelse' && e.name.toLowerCase().startsWith('b'))
      .flatMap((e) => e.placements.map(() => e.name));
    expect(rows.map((r) => r.name)).toEqual(expected);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.type).toBe('Bebyggelse');
      expect(r.municipality.code).toBe('2584');
    }
    // Without the municipality the same search finds names elsewhere too.
    const wide = await h.run(
      '{ placeNames(name: "b", match: STARTS_WITH, types: ["Bebyggelse"], limit: 400) { municipality { code } } }',
    );
    const codes = new Set(
      (wide.data!['placeNames'] as Array<{ municipality: { code: string } }>).map((r) => r.municipality.code),
    );
    expect(codes.size).toBeGreaterThan(5);
  });

  it('Place.nearestPlaceName: Abisko at 224 m from the point; a generated name at its own placement', async () => {
    const abisko = await h.run(
      '{ place(latitude: 68.3486, longitude: 18.8257) { nearestPlaceName { name type municipality { code } distanceMeters } } }',
    );
    expect(abisko.data).toEqual({
      place: {
        nearestPlaceName: {
          name: 'Abisko',
          type: 'Bebyggelse',
          municipality: { code: '2584' },
          distanceMeters: 224,
        },
      },
    });
    const entry = sim.data.names.inMunicipality('1480').find((e) => !e.real && e.type === 'Hav och sjö')!;
    const at = toWgs84(entry.placements[0]!);
    const res = await h.run(
      `{ place(latitude: ${at.latitude}, longitude: ${at.longitude}) { nearestPlaceName { name type distanceMeters } } }`,
    );
    expect(res.data).toEqual({
      place: {
        nearestPlaceName: { name: entry.name, type: 'Hav och sjö', distanceMeters: expect.any(Number) },
      },
    });
    expect(
      (res.data!['place'] as { nearestPlaceName: { distanceMeters: number } }).nearestPlaceName
        .distanceMeters,
    ).toBeLessThanOrEqual(2);
  });

  it('addresses(search, municipality): the synthetic addresses of that street and number, parsed in full', async () => {
    const street = sim.data.addresses.streets('1280')[1]!;
    const res = await h.run(
      `{ addresses(search: "${street.name} 5 Malmö", municipality: "1280") { id label street number letter postalCode postalTown municipality { code } location { latitude longitude } distanceMeters } }`,
    );
    expect(res.errors).toBeUndefined();
    const rows = res.data!['addresses'] as Row[];
    const expected = sim.data.addresses.addressesOf(street).filter((a) => a.number === 5);
    expect(rows.map((r) => r['id'])).toEqual(expected.map((a) => a.id));
    const code = String(street.postnummer);
    for (const r of rows) {
      expect(r).toMatchObject({
        street: street.name,
        number: '5',
        postalCode: code,
        postalTown: 'Malmö',
        municipality: { code: '1280' },
        distanceMeters: null,
      });
      // Skåne postcodes start with 2.
      expect(r['postalCode']).toMatch(/^2\d{4}$/);
      expect(r['label']).toBe(
        `${street.name} 5${r['letter'] ?? ''}, ${code.slice(0, 3)} ${code.slice(3)} Malmö`,
      );
    }
    const other = await h.run(
      `{ addresses(search: "${street.name}", municipality: "0180", limit: 100) { municipality { code } } }`,
    );
    for (const r of other.data!['addresses'] as Array<{ municipality: { code: string } }>)
      expect(r.municipality.code).toBe('0180');
  });

  it('Place.nearestAddress: the address at that point, with our distance', async () => {
    const a = sim.data.addresses.addressesOf(sim.data.addresses.streets('0380')[3]!)[2]!;
    const at = toWgs84(a.point);
    const res = await h.run(
      `{ place(latitude: ${at.latitude}, longitude: ${at.longitude}) { nearestAddress { id street number municipality { code } distanceMeters } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      place: {
        nearestAddress: {
          id: a.id,
          street: a.street.name,
          number: String(a.number),
          municipality: { code: '0380' },
          distanceMeters: expect.any(Number),
        },
      },
    });
  });

  it('Place.elevation for many places in one request is one MultiPoint call; the heights are plausible', async () => {
    const codes = ['0180', '2584', '1480', '1280', '0380', '2403', '2321', '0764', '0980', '2523'];
    const before = calls.length;
    const query = `{ ${codes.map((c) => `m${c}: municipality(code: "${c}") { centroid { elevation } }`).join(' ')}
      abisko: place(latitude: 68.3486, longitude: 18.8257) { elevation } }`;
    const res = await h.run(query);
    expect(res.errors).toBeUndefined();
    const posts = calls.slice(before).filter((c) => c.base === URLS.markhojd);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.method).toBe('POST');
    const body = JSON.parse(posts[0]!.body!) as { coordinates: number[][] };
    expect(body.coordinates).toHaveLength(codes.length + 1);
    // [E, N] as the reference says: N is the larger number.
    for (const [e, n] of body.coordinates) expect(n!).toBeGreaterThan(e!);
    const height = (c: string) =>
      (res.data![`m${c}`] as { centroid: { elevation: number } }).centroid.elevation;
    for (const c of codes) {
      const p = roundSweref(toSweref(centroid(c).latitude, centroid(c).longitude));
      expect(height(c)).toBe(sim.data.terrain.height(p.n, p.e));
    }
    expect(height('2584')).toBeGreaterThan(height('1280'));
    expect(height('2584')).toBeGreaterThan(300);
    expect(height('1280')).toBeLessThan(100);
    expect(height('0180')).toBeGreaterThanOrEqual(0);
    expect(height('0180')).toBeLessThanOrEqual(60);
    const abisko = (res.data!['abisko'] as { elevation: number }).elevation;
    expect(abisko).toBeGreaterThanOrEqual(400);
    expect(abisko).toBeLessThanOrEqual(1000);
  });

  it('the mountains along the Norwegian border reach far higher than the south, up to about 2 000 m', () => {
    let north = 0;
    let south = 0;
    for (let n = 6_150_000; n < 7_650_000; n += 5_000) {
      for (let e = 260_000; e < 920_000; e += 5_000) {
        const z = sim.data.terrain.height(n, e);
        if (n > 7_200_000) north = Math.max(north, z);
        if (n < 6_400_000) south = Math.max(south, z);
      }
    }
    expect(north).toBeGreaterThan(1500);
    expect(north).toBeLessThan(2300);
    expect(south).toBeLessThan(500);
  });

  it('boundary(detail: FULL) for municipalities and counties: the real outline, containing the centroid', async () => {
    const codes = ['0180', '2584', '1480', '1280', '0380', '2403'];
    const res = await h.run(
      `{ ${codes.map((c) => `m${c}: municipality(code: "${c}") { full: boundary(detail: FULL) county { code full: boundary(detail: FULL) } }`).join(' ')} }`,
    );
    expect(res.errors).toBeUndefined();
    for (const c of codes) {
      const m = res.data![`m${c}`] as { full: Polygonal; county: { code: string; full: Polygonal } };
      const { latitude, longitude } = centroid(c);
      expect(m.full.type).toBe('MultiPolygon');
      expect(pointInPolygon(m.full, longitude, latitude)).toBe(true);
      expect(pointInPolygon(m.county.full, longitude, latitude)).toBe(true);
      const embedded = geography().municipalities.get(c)!.geometry;
      expect(m.full.coordinates).toEqual(
        embedded.type === 'Polygon' ? [embedded.coordinates] : embedded.coordinates,
      );
    }
  });
});

describe('offline mode with configured credentials', () => {
  it('uses them instead of the offline ones, and never logs them or the tokens', async () => {
    const { sim, calls } = recording(simulator(SECRETS));
    const dispatcher = dispatcherFor(sim);
    const { logger, lines } = captureLogger();
    const h = createHarness({ env: SECRETS, mode: 'offline', dispatcher, now: () => NOW, logger });
    const street = sim.data.addresses.streets('2480')[0]!.name;
    const res = await h.run(`{
      placeNames(name: "Umeå") { name }
      addresses(search: "${street}", municipality: "2480", limit: 1) { id }
      place(latitude: 63.83, longitude: 20.26) { elevation nearestAddress { id } }
    }`);
    expect(res.errors).toBeUndefined();
    // Basic where the API takes it (Ortnamn, Markhöjd), the configured OAuth2 client for addresses.
    const schemes = (base: string) => [...new Set(calls.filter((c) => c.base === base).map((c) => c.scheme))];
    expect(schemes(URLS.ortnamn)).toEqual(['Basic']);
    expect(schemes(URLS.markhojd)).toEqual(['Basic']);
    expect(schemes(URLS.address)).toEqual(['Bearer']);
    expect(calls.filter((c) => c.base === TOKEN_URL)).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(0);
    const logged = lines.join('\n');
    for (const secret of Object.values(SECRETS)) expect(logged).not.toContain(secret);
    expect(logged).not.toMatch(/Bearer|Basic [A-Za-z0-9+/=]{8}/);
    await h.close();
    await dispatcher.close();
  });
});

/** A client like `index.ts` builds, on a given dispatcher (to reach client errors directly). */
function offlineClient(
  env: { key?: string; secret?: string; user?: string; password?: string },
  dispatcher: OfflineDispatcher,
  now = () => NOW,
): LantmaterietClient {
  const auth = createAuth({
    credentials: {
      consumerKey: env.key,
      consumerSecret: env.secret,
      username: env.user,
      password: env.password,
    },
    tokenUrl: TOKEN_URL,
    dispatcher,
    now,
    logger: silentLogger,
  });
  const up = (baseUrl: string, api: typeof ORTNAMN) =>
    createUpstream({
      agency: 'lantmateriet',
      baseUrl,
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'offline',
      dispatcher,
      now,
      // One attempt: the fault tests want the first answer, not the retries.
      retries: 0,
      headers: auth.headersFor(api),
    });
  return createLantmaterietClient({
    mode: 'offline',
    auth,
    upstreams: {
      ortnamn: up(URLS.ortnamn, ORTNAMN),
      markhojd: up(URLS.markhojd, MARKHOJD),
      admin: up(URLS.admin, ADMIN),
      address: up(URLS.address, ADDRESS),
    },
  });
}

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof UpstreamError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('client errors from the simulator map to the right GraphQL codes', () => {
  it('a 400 from Ortnamn (maxHits above 400) is UPSTREAM_BAD_RESPONSE', async () => {
    const d = dispatcherFor(simulator());
    const client = offlineClient({ key: 'offline-demo', secret: 'offline-demo-not-a-secret' }, d);
    const err = await failure(client.placeNames({ name: 'Abisko', match: 'equals', maxHits: 401 }));
    expect(err).toMatchObject({ kind: 'HTTP_STATUS', status: 400 });
    expect(codeForUpstream(err)).toBe('UPSTREAM_BAD_RESPONSE');
    await d.close();
  });

  it('refused credentials are UPSTREAM_AUTH_REQUIRED: a wrong consumer secret, a wrong Basic password', async () => {
    const d = dispatcherFor(simulator({ ...OAUTH_ONLY, ...BASIC_ONLY }));
    const wrongSecret = offlineClient({ key: OAUTH_ONLY.LM_CONSUMER_KEY, secret: 'cs-WRONG' }, d);
    const tokenErr = await failure(wrongSecret.nearestAddress(59.33, 18.07));
    expect(codeForUpstream(tokenErr)).toBe('UPSTREAM_AUTH_REQUIRED');
    expect(tokenErr.message).toMatch(
      /token endpoint refused LM_CONSUMER_KEY\/LM_CONSUMER_SECRET \(HTTP 401\)/,
    );
    const wrongPassword = offlineClient({ user: BASIC_ONLY.LM_USERNAME, password: 'pw-WRONG' }, d);
    const basicErr = await failure(wrongPassword.elevations([{ n: 6_580_743, e: 674_572 }]));
    expect(codeForUpstream(basicErr)).toBe('UPSTREAM_AUTH_REQUIRED');
    expect(basicErr.message).toMatch(/refused the configured credentials for Markhöjd Direkt \(HTTP 401\)/);
    await d.close();
  });

  it('a token the API no longer accepts (401) is dropped, a new one fetched, and the call retried once', async () => {
    let simNow = NOW;
    const { sim, calls } = recording(simulator({}, () => simNow));
    const d = dispatcherFor(sim, () => simNow);
    // The client's clock stands still, so it keeps trusting its cached token after the API expired it.
    const client = offlineClient({ key: 'offline-demo', secret: 'offline-demo-not-a-secret' }, d);
    expect(await client.elevations([{ n: 6_580_743, e: 674_572 }])).toHaveLength(1);
    simNow = NOW + 2 * 3600_000;
    expect(await client.elevations([{ n: 7_586_619, e: 657_438 }])).toHaveLength(1);
    expect(sim.data.tokens.issued()).toBe(2);
    expect(calls.filter((c) => c.base === URLS.markhojd).length).toBe(3);
    await d.close();
  });

  it.each([
    [429, 'UPSTREAM_RATE_LIMITED'],
    [503, 'UPSTREAM_UNAVAILABLE'],
  ])('an injected %i (OFFLINE_FAULTS) is %s', async (status, code) => {
    const d = new OfflineDispatcher({
      simulators: [simulator(BASIC_ONLY)],
      now: () => NOW,
      faults: { lantmateriet: { kind: 'status', status } },
    });
    // Basic credentials: the API call itself meets the fault (not the token endpoint).
    const client = offlineClient({ user: BASIC_ONLY.LM_USERNAME, password: BASIC_ONLY.LM_PASSWORD }, d);
    const err = await failure(client.countyBoundary('01'));
    expect(err.status).toBe(status);
    expect(codeForUpstream(err)).toBe(code);
    // The token endpoint fails the same way for OAuth2 clients.
    const oauth = offlineClient({ key: 'offline-demo', secret: 'offline-demo-not-a-secret' }, d);
    expect(codeForUpstream(await failure(oauth.nearestAddress(59.33, 18.07)))).toBe(code);
    await d.close();
  });
});

describe('Lantmäteriet through the gateway, offline mode', () => {
  let gw: TestGateway;
  const reference = simulator();
  beforeAll(async () => {
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline' } });
  });
  afterAll(() => gw.stop());

  const PLACE = `latitude longitude municipality { code } municipalityMatch { method distanceKm } elevation
    nearestPlaceName { name type language municipality { code } county { code } location { latitude longitude } distanceMeters }
    nearestAddress { id label street number postalCode postalTown municipality { code } location { latitude longitude } distanceMeters }`;

  it.each([
    ['0180', 'Stockholm'],
    ['2584', 'Kiruna'],
    ['1480', 'Göteborg'],
    ['1280', 'Malmö'],
    ['0380', 'Uppsala'],
    ['2403', 'Bjurholm'],
  ])('answers every Lantmäteriet field for %s (%s) without errors', async (code, name) => {
    const county = code.slice(0, 2);
    const generated = reference.data.names.inMunicipality(code).find((e) => !e.real)!;
    const street = reference.data.addresses.streets(code)[0]!;
    const body = await gw.query<Record<string, Record<string, unknown> | Array<Record<string, unknown>>>>(`{
      municipality(code: "${code}") { code name county { code name } boundary full: boundary(detail: FULL) centroid { ${PLACE} } }
      county(code: "${county}") { code name boundary full: boundary(detail: FULL) municipalities { code } }
      municipalities(county: "${county}") { code }
      place(latitude: ${centroid(code).latitude}, longitude: ${centroid(code).longitude}) { ${PLACE} }
      real: placeNames(name: "${name}", municipality: "${code}") { name type location { latitude longitude } }
      synthetic: placeNames(name: "${generated.name}", municipality: "${code}", types: ["${generated.type}"]) { name type municipality { code } county { code } location { latitude } }
      addresses(search: "${street.name} 1", municipality: "${code}") { id label street number postalCode postalTown municipality { code } location { latitude longitude } }
    }`);
    expect(body.errors).toBeUndefined();
    const m = body.data!['municipality'] as Record<string, unknown>;
    expect(m).toMatchObject({ code, name, county: { code: county } });
    expect(m['full']).toMatchObject({ type: 'MultiPolygon' });
    const c = m['centroid'] as Record<string, unknown>;
    for (const key of [
      'elevation',
      'nearestPlaceName',
      'nearestAddress',
      'municipality',
      'municipalityMatch',
    ]) {
      expect(c[key], key).not.toBeNull();
    }
    expect(c['municipality']).toEqual({ code });
    expect((body.data!['county'] as Record<string, unknown>)['full']).toMatchObject({ type: 'MultiPolygon' });
    expect(body.data!['real']).toEqual([{ name, type: 'Tätort', location: expect.any(Object) }]);
    const synthetic = body.data!['synthetic'] as Array<Record<string, unknown>>;
    expect(synthetic.length).toBeGreaterThan(0);
    for (const row of synthetic)
      expect(row).toMatchObject({ name: generated.name, municipality: { code }, county: { code: county } });
    const addresses = body.data!['addresses'] as Array<Record<string, unknown>>;
    expect(addresses.length).toBeGreaterThan(0);
    for (const a of addresses) {
      expect(a).toMatchObject({ street: street.name, number: '1', postalTown: name, municipality: { code } });
      expect(a['location']).not.toBeNull();
    }
    const extensions = body.extensions as {
      offline: { agencies: Record<string, { synthetic: boolean; note: string }> };
    };
    const offline = extensions.offline.agencies['lantmateriet'];
    expect(offline).toMatchObject({ synthetic: true, note: expect.stringContaining('SYNTHETIC') });
  });

  it('keeps the embedded fields as before, and answers the contract query', async () => {
    const body = await gw.query<{
      placeNames: Array<{ name: string }>;
      place: { elevation: number; municipality: { name: string } };
    }>(`{
      placeNames(name: "Abisko", limit: 5) { name type location { latitude longitude } }
      place(latitude: 67.3486, longitude: 18.8257) { elevation municipality { name } }
      counties { code name }
      municipalities { code }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data!.placeNames.map((p) => p.name)).toEqual(['Abisko', 'Abisko', 'Abisko']);
    expect(body.data!.place.municipality.name).toBe('Jokkmokk');
    expect(body.data!.place.elevation).toBeGreaterThan(200);
    expect((body.data as unknown as { counties: unknown[] }).counties).toHaveLength(21);
    expect((body.data as unknown as { municipalities: unknown[] }).municipalities).toHaveLength(290);
  });
});
