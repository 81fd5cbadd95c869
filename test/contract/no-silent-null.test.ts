/**
 * No silent null: where a resolver used to answer null (or nothing) for something that is not "the
 * agency has no such thing", the field is now null WITH a typed error on its path. Each case is set
 * beside the null it may still give, which the field's description documents.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../kit/errors.ts';
import { createSguClient, POINT_QUERY_LIMIT } from '../../subgraphs/sgu/client.ts';
import { offlineAgent, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { ADMIN, API, BASIC_ONLY, createHarness, offlineAgent as lmAgent } from '../lantmateriet/harness.ts';
import { METADATA, type ScbHarness, scbHarness } from '../scb/helpers.ts';
import { collection, BASE as SGU_BASE, sguHarness } from '../sgu/helpers.ts';

const METOBS = 'https://opendata-download-metobs.smhi.se';
const jsonReply = (body: unknown) => ({
  statusCode: 200,
  data: JSON.stringify(body),
  responseOptions: { headers: { 'content-type': 'application/json' } },
});

describe('SMHI: a station looked up in a station list SMHI answers 404 for', () => {
  let gw: TestGateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });

  async function gatewayWithStationList(status: number) {
    const agent = offlineAgent();
    const list = readFileSync('test/fixtures/smhi/metobs_stations_p1_synthetic.json', 'utf8');
    agent
      .get(METOBS)
      .intercept({ path: '/api/version/1.0/parameter/1.json' })
      .reply(status, status === 200 ? list : '', { headers: { 'content-type': 'application/json' } })
      .persist();
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'live' }, dispatcher: agent });
    return gw;
  }

  it('is UPSTREAM_BAD_RESPONSE (the parameter is one SMHI listed), not null as if the station were unknown', async () => {
    const g = await gatewayWithStationList(404);
    const body = await g.query('{ weatherStation(id: "98210") { name } }');
    expect(body.data).toEqual({ weatherStation: null });
    expect(body.errors?.map((e) => [e.path, e.extensions?.['code'], e.extensions?.['agency']])).toEqual([
      [['weatherStation'], 'UPSTREAM_BAD_RESPONSE', 'smhi'],
    ]);
    expect(body.errors?.[0]?.message).toMatch(/404 for the station list of parameter 1/);
  });

  it('is null without an error when the list has no station with the id (documented)', async () => {
    const g = await gatewayWithStationList(200);
    const body = await g.query('{ weatherStation(id: "99999999") { name } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ weatherStation: null });
  });
});

describe('SCB: the metadata of a table SCB lists answering 404', () => {
  let h: ScbHarness | undefined;
  afterEach(async () => {
    await h?.runtime.close();
    await h?.scb.agent.close();
    h = undefined;
  });

  it('makes `variables` and `notes` UPSTREAM_BAD_RESPONSE, not null', async () => {
    const saved = METADATA['TAB6471']!;
    delete METADATA['TAB6471'];
    try {
      h = scbHarness();
      const result = await h.run('{ statisticsTable(id: "TAB6471") { id variables { code } notes } }');
      expect(result.data).toEqual({ statisticsTable: { id: 'TAB6471', variables: null, notes: null } });
      expect(result.errors?.map((e) => [e.path, e.extensions['code'], e.extensions['agency']])).toEqual([
        [['statisticsTable', 'variables'], 'UPSTREAM_BAD_RESPONSE', 'scb'],
        [['statisticsTable', 'notes'], 'UPSTREAM_BAD_RESPONSE', 'scb'],
      ]);
      expect(result.errors?.[0]?.message).toMatch(/404 for \/tables\/TAB6471\/metadata/);
    } finally {
      METADATA['TAB6471'] = saved;
    }
  });

  it('an unknown table is still null without an error (documented)', async () => {
    h = scbHarness();
    const result = await h.run('{ statisticsTable(id: "TAB999999") { id variables { code } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ statisticsTable: null });
  });
});

describe("Lantmäteriet: a boundary answer without the asked code's feature", () => {
  const square = [
    [
      [17.8, 59.2],
      [18.2, 59.2],
      [18.2, 59.4],
      [17.8, 59.2],
    ],
  ];
  const feature = (kommunkod: string) => ({
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: square },
    properties: { kommunkod },
  });

  async function boundaryAnswering(features: unknown[]) {
    const agent = lmAgent();
    agent
      .get(API)
      .intercept({ path: (p) => p.startsWith(`${ADMIN}/collections/kommuner/items`), method: 'GET' })
      .reply(() => jsonReply({ type: 'FeatureCollection', features }));
    const h = createHarness({ env: BASIC_ONLY, dispatcher: agent });
    try {
      return await h.run('{ municipality(code: "0180") { boundary(detail: FULL) } }');
    } finally {
      await h.close();
    }
  }

  it('(the filter not applied: other codes only) is UPSTREAM_BAD_RESPONSE saying what came back', async () => {
    const result = await boundaryAnswering([feature('0181'), feature('0182')]);
    expect(result.data).toEqual({ municipality: { boundary: null } });
    expect(result.errors?.map((e) => [e.path, e.extensions?.['code'], e.extensions?.['agency']])).toEqual([
      [['municipality', 'boundary'], 'UPSTREAM_BAD_RESPONSE', 'lantmateriet'],
    ]);
    expect(result.errors?.[0]?.message).toMatch(
      /asked for kommunkod 0180, got 2 feature\(s\) of other codes/,
    );
  });

  it('no feature at all is null without an error (documented: no outline for the code)', async () => {
    const result = await boundaryAnswering([]);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ municipality: { boundary: null } });
  });
});

describe('SGU: soil or bedrock where the page read has no polygon containing the point', () => {
  // Polygons touching the query box that do not contain the point (near Uppsala, 59.86 N 17.64 E).
  const elsewhere = Array.from({ length: POINT_QUERY_LIMIT }, (_, i) => ({
    type: 'Feature',
    id: `grundlager.${i}`,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [17.65, 59.87],
          [17.66, 59.87],
          [17.66, 59.88],
          [17.65, 59.87],
        ],
      ],
    },
    properties: { jg2_tx: 'Lera', jg2: 1 },
  }));

  function soilAt(page: Record<string, unknown>) {
    const h = sguHarness();
    h.pool
      .intercept({ method: 'GET', path: () => true })
      .reply(200, JSON.stringify(page), { headers: { 'content-type': 'application/geo+json' } })
      .persist();
    return { h, answer: createSguClient(h.upstream).soilAt(59.8586, 17.6389) };
  }

  it('is UPSTREAM_BAD_RESPONSE when SGU has more polygons than were read (not "unmapped")', async () => {
    const next = `${SGU_BASE}/jordarter/ogc/features/v1/collections/grundlager/items?f=json&offset=${POINT_QUERY_LIMIT}`;
    const { h, answer } = soilAt(
      collection(elsewhere, {
        numberMatched: 2 * POINT_QUERY_LIMIT,
        links: [{ rel: 'next', type: 'application/geo+json', href: next }],
      }),
    );
    const error = await answer.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: 'BAD_PAYLOAD', agency: 'sgu' });
    expect((error as Error).message).toMatch(/none of those read contains it; the answer is incomplete/);
    await h.agent.close();
  });

  it('is null without an error when every polygon was read and none contains the point (unmapped)', async () => {
    const { h, answer } = soilAt(collection(elsewhere));
    expect(await answer).toBeNull();
    await h.agent.close();
  });
});
