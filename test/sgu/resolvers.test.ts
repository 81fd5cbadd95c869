import { afterEach, describe, expect, it } from 'vitest';
import { offlineAgent, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { collection, fixture, ORIGIN } from './helpers.ts';

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

/** A live-mode gateway whose SGU requests are answered by `answer` and recorded verbatim. */
async function gatewayAnswering(answer: (path: string) => unknown) {
  const agent = offlineAgent();
  const sent: string[] = [];
  agent
    .get(ORIGIN)
    .intercept({ path: () => true, method: 'GET' })
    .reply(200, (opts) => JSON.stringify(answer(String(opts.path))), {
      headers: { 'content-type': 'application/geo+json' },
    })
    .persist();
  const recording = agent.compose((dispatch) => (opts, handler) => {
    sent.push(decodeURIComponent(String(opts.path).replace(/\+/g, ' ')));
    return dispatch(opts, handler);
  });
  gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: recording });
  return { gw, sent };
}

const level = (date: string, moh: number) => ({
  type: 'Feature',
  id: `nivaer.${date}`,
  geometry: null,
  properties: { platsbeteckning: '95_2', obsdatum: date, grundvattenniva_m_o_h: moh },
});

describe('SGU resolvers', () => {
  it('turns levels(from, to, limit) into a CQL date range (to inclusive) and keeps the most recent', async () => {
    const { gw, sent } = await gatewayAnswering((path) =>
      path.includes('/nivaer/')
        ? collection([
            level('2026-11-19T18:00:00Z', 29.2),
            level('2026-11-19T00:00:00Z', 29.0),
            level('2026-11-19T06:00:00Z', 29.1),
          ])
        : fixture('stationer_95_2_synthetic.json'),
    );
    const body = await gw.query(
      '{ groundwaterStation(id: "95_2") { levels(from: "2026-11-19", to: "2026-11-19", limit: 2) { date metersAboveSeaLevel } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      groundwaterStation: {
        levels: [
          { date: '2026-11-19T06:00:00Z', metersAboveSeaLevel: 29.1 },
          { date: '2026-11-19T18:00:00Z', metersAboveSeaLevel: 29.2 },
        ],
      },
    });
    expect(sent.find((p) => p.includes('/nivaer/'))).toContain(
      "filter=platsbeteckning='95_2' AND obsdatum >= '2026-11-19T00:00:00+00:00' AND obsdatum < '2026-11-20T00:00:00+00:00'",
    );
  });

  it('with only `to`, reads the 365 days before it (not an empty range anchored on the series end)', async () => {
    const { gw, sent } = await gatewayAnswering((path) =>
      path.includes('/nivaer/')
        ? collection([level('2019-12-31T06:00:00Z', 28.7)])
        : fixture('stationer_95_2_synthetic.json'),
    );
    const body = await gw.query('{ groundwaterStation(id: "95_2") { levels(to: "2019-12-31") { date } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ groundwaterStation: { levels: [{ date: '2019-12-31T06:00:00Z' }] } });
    expect(sent.find((p) => p.includes('/nivaer/'))).toContain(
      "filter=platsbeteckning='95_2' AND obsdatum >= '2019-01-01T00:00:00+00:00' AND obsdatum < '2020-01-01T00:00:00+00:00'",
    );
  });

  it('anchors latestLevel on today when the series end (tdat) lies in the future', async () => {
    // SYNTHETIC: the 95_2 fixture with a far-future tdat, as an open series might carry.
    const station = fixture<{ features: Array<{ properties: Record<string, unknown> }> }>(
      'stationer_95_2_synthetic.json',
    );
    station.features[0]!.properties['tdat'] = '9999-12-31';
    const { gw, sent } = await gatewayAnswering((path) =>
      path.includes('/nivaer/') ? collection([level('2026-11-19T06:00:00Z', 29.1)]) : station,
    );
    const body = await gw.query('{ groundwaterStation(id: "95_2") { latestLevel { date } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ groundwaterStation: { latestLevel: { date: '2026-11-19T06:00:00Z' } } });
    const from = /obsdatum >= '(\d{4}-\d{2}-\d{2})T/.exec(
      sent.find((p) => p.includes('/nivaer/')) ?? '',
    )?.[1];
    // 400 days before today, not before the year 9999.
    expect(from).toBeDefined();
    expect(from! < new Date().toISOString().slice(0, 10)).toBe(true);
  });

  it('resolves a station referenced by id from elsewhere, batching ids into one request', async () => {
    const { gw, sent } = await gatewayAnswering(() => fixture('stationer_uppsala_25km_synthetic.json'));
    const body = await gw.query(
      '{ a: groundwaterStation(id: "95_2") { name } b: groundwaterStation(id: "96_4") { name municipality { name } } c: groundwaterStation(id: "00_0") { name } }',
    );
    expect(body.data).toEqual({
      a: { name: 'Lagga_2' },
      b: { name: 'Uppsala Luthagen (syntetisk)', municipality: { name: 'Uppsala' } },
      c: null,
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("filter=platsbeteckning in ('95_2','96_4','00_0')");
  });

  it('lists nearest stations within the radius only, nearest first, skipping hidden positions', async () => {
    const { gw } = await gatewayAnswering(() => fixture('stationer_uppsala_25km_synthetic.json'));
    const body = await gw.query(
      '{ place(latitude: 59.8586, longitude: 17.6389) { nearestGroundwaterStations(limit: 10) { distanceKm station { id } } } }',
    );
    expect(body.errors).toBeUndefined();
    const ids = (
      body.data as { place: { nearestGroundwaterStations: Array<{ station: { id: string } }> } }
    ).place.nearestGroundwaterStations.map((n) => n.station.id);
    // 97_1 has no position; 97_5 is in the query box but 28 km away.
    expect(ids).toEqual(['96_4', '96_9', '95_2']);
  });
});
