import { readdirSync, readFileSync } from 'node:fs';
import { execute, parse } from 'graphql';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../kit/config.ts';
import { silentLogger } from '../../kit/logger.ts';
import { createTrace, type UpstreamEvent } from '../../kit/upstream.ts';
import { sgu } from '../../subgraphs/sgu/index.ts';
import { offlineAgent, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { fixture, ORIGIN } from './helpers.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const STATIONS_0180 = {
  municipality: 'query { municipality(code: "0180") { name groundwaterStations { id } } }',
};

describe('SGU upstream failures', () => {
  it('maps a TLS certificate error to UPSTREAM_UNAVAILABLE with agency sgu; other fields still answer', async () => {
    const agent = offlineAgent();
    agent
      .get(ORIGIN)
      .intercept({ path: () => true, method: 'GET' })
      .replyWithError(Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }))
      .persist();
    const sent: string[] = [];
    const counting = agent.compose((dispatch) => (opts, handler) => {
      sent.push(String(opts.path));
      return dispatch(opts, handler);
    });
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: counting });
    const body = await gw.query<{ municipality: { name: string; groundwaterStations: unknown } }>(
      STATIONS_0180.municipality,
    );
    expect(body.data?.municipality).toEqual({ name: 'Stockholm', groundwaterStations: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', agency: 'sgu' });
    expect(body.errors?.[0]?.message).toMatch(/sgu presented an invalid TLS certificate/);
    expect(body.errors?.[0]?.message).not.toMatch(/api\.sgu\.se|kommunkod/);
    // Connect failures are retried by the kit (1 + 2 attempts), never with certificate checks relaxed.
    expect(sent).toHaveLength(3);
    expect(new Set(sent).size).toBe(1);
    const failed = gw.events.filter((e: UpstreamEvent) => e.agency === 'sgu' && e.outcome === 'error');
    expect(failed).toEqual([expect.objectContaining({ errorKind: 'CONNECT' })]);
  });

  it('maps a 503 to UPSTREAM_UNAVAILABLE with agency sgu after the kit retries', async () => {
    const agent = offlineAgent();
    agent
      .get(ORIGIN)
      .intercept({ path: () => true, method: 'GET' })
      .reply(503, 'down')
      .persist();
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: agent });
    const body = await gw.query(
      '{ place(latitude: 59.8586, longitude: 17.6389) { municipality { name } soilType { name } } }',
    );
    expect(body.data).toEqual({ place: { municipality: { name: 'Uppsala' }, soilType: null } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', agency: 'sgu' });
    expect(gw.events.find((e) => e.agency === 'sgu')).toMatchObject({
      outcome: 'error',
      errorKind: 'HTTP_STATUS',
    });
  });

  it('never relaxes certificate checks anywhere in the SGU code or the OGC client', () => {
    const files = [
      ...readdirSync('subgraphs/sgu')
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `subgraphs/sgu/${f}`),
      'kit/ogc.ts',
    ];
    for (const file of files) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED/);
    }
  });
});

describe('SGU bad input: BAD_USER_INPUT before any upstream call', () => {
  it.each([
    ['wells limit 0', '{ municipality(code: "0180") { wells(limit: 0) { id } } }', /from 1 to 500/],
    ['wells limit 501', '{ municipality(code: "0180") { wells(limit: 501) { id } } }', /from 1 to 500/],
    [
      'wells beyond the window',
      '{ municipality(code: "0180") { wells(limit: 20, offset: 4990) { id } } }',
      /offset/,
    ],
    [
      'wells negative offset',
      '{ municipality(code: "0180") { wells(offset: -1) { id } } }',
      /wells\(offset: -1\) is out of range: use an integer from 0 to 4980/,
    ],
    [
      'nearest limit 0',
      '{ place(latitude: 59.8586, longitude: 17.6389) { nearestGroundwaterStations(limit: 0) { distanceKm } } }',
      /from 1 to 50/,
    ],
    [
      'nearest withinKm beyond 100',
      '{ place(latitude: 59.8586, longitude: 17.6389) { nearestGroundwaterStations(withinKm: 100.5) { distanceKm } } }',
      /nearestGroundwaterStations\(withinKm: 100\.5\) is out of range: use 0\.1 to 100 km/,
    ],
    ['an empty station id', '{ groundwaterStation(id: "") { id } }', /not an SGU id/],
    [
      'nearest limit 51',
      '{ place(latitude: 59.8586, longitude: 17.6389) { nearestGroundwaterStations(limit: 51) { distanceKm } } }',
      /from 1 to 50/,
    ],
    [
      'nearest withinKm 0',
      '{ place(latitude: 59.8586, longitude: 17.6389) { nearestGroundwaterStations(withinKm: 0) { distanceKm } } }',
      /0\.1 to 100 km/,
    ],
    [
      'a station id that would break out of CQL',
      `{ groundwaterStation(id: "x' OR 1=1 --") { id } }`,
      /not an SGU id/,
    ],
  ])('%s', async (_, query, message) => {
    const agent = offlineAgent(); // no interceptors: any upstream call would fail as UPSTREAM_UNAVAILABLE
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: agent });
    const body = await gw.query(query);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'sgu' });
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(gw.events.filter((e) => e.agency === 'sgu')).toEqual([]);
  });

  it.each([
    ['a malformed date', 'levels(from: "2024-13-01")', /YYYY-MM-DD/],
    ['an impossible date', 'levels(to: "2024-02-30")', /"2024-02-30" is not a date/],
    ['limit 0', 'levels(limit: 0)', /from 1 to 1000/],
    ['from after to', 'levels(from: "2024-02-01", to: "2024-01-01")', /must not be later/],
    ['limit 1001', 'levels(limit: 1001)', /from 1 to 1000/],
  ])('levels: %s (after the station, before any levels request)', async (_, call, message) => {
    const agent = offlineAgent();
    agent
      .get(ORIGIN)
      .intercept({ path: (p) => p.includes('/collections/stationer/items'), method: 'GET' })
      .reply(200, fixture('stationer_uppsala_25km_synthetic.json'), {
        headers: { 'content-type': 'application/geo+json' },
      });
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: agent });
    const body = await gw.query(`{ groundwaterStation(id: "95_2") { name ${call} { date } } }`);
    expect(body.data).toEqual({ groundwaterStation: { name: 'Lagga_2', levels: null } });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'sgu' });
    expect(body.errors?.[0]?.message).toMatch(message);
    // Only the station was asked for: no nivaer request.
    expect(gw.events.filter((e) => e.agency === 'sgu')).toHaveLength(1);
    agent.assertNoPendingInterceptors();
  });

  it('rejects an unknown municipality in an entity reference, naming the agency', async () => {
    const runtime = sgu.create({
      config: readEnv(sgu.env, {}),
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'live',
      now: Date.now,
      dispatcher: offlineAgent(),
    });
    const result = await execute({
      schema: runtime.schema,
      document: parse(
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Municipality { wellCount } } }',
      ),
      variableValues: { r: [{ __typename: 'Municipality', code: '0000' }] },
      contextValue: runtime.contextFor({ trace: createTrace() }),
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', agency: 'sgu' });
    expect(result.errors?.[0]?.message).toMatch(/Unknown municipality code "0000"/);
    await runtime.close();
  });
});
