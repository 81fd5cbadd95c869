import { readFileSync } from 'node:fs';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { silentLogger } from '../../kit/logger.ts';
import { type SubgraphServer, serveSubgraph } from '../../kit/serve.ts';
import { createFileSnapshotStore } from '../../kit/snapshot.ts';
import { smhi } from '../../subgraphs/smhi/index.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { README_QUERY } from '../helpers/readme-query.ts';
import { freePort } from './ports.ts';

const recorded = JSON.parse(
  readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
) as { timeSeries: Array<{ time: string; data: Record<string, number> }> };

type ReadmeAnswer = {
  municipality: {
    name: string;
    county: { name: string };
    forecast: Array<{ validAt: string; airTemperature: number; windSpeed: number }> | null;
  };
};

describe('gateway with the smhi subgraph running as a remote HTTP service', () => {
  let subgraph: SubgraphServer;
  let gw: TestGateway;

  beforeAll(async () => {
    const runtime = smhi.create({
      config: loadConfig({}).subgraphs as never,
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'snapshot',
      snapshot: createFileSnapshotStore('snapshot'),
      now: Date.now,
    });
    subgraph = await serveSubgraph(runtime, 0);
    gw = await startTestGateway({ env: { SUBGRAPH_URLS: `smhi=${subgraph.url}` } });
  });
  afterAll(async () => {
    await gw?.stop();
    await subgraph?.stop();
  });

  it('lists smhi as remote and the other subgraphs as in-process', () => {
    const smhiEntry = gw.app.subgraphs.find((s) => s.name === 'smhi');
    expect(smhiEntry?.url).toBe(subgraph.url);
    expect(gw.app.runtimes.has('smhi')).toBe(false);
    expect(gw.app.runtimes.has('lantmateriet')).toBe(true);
  });

  it('answers the README query with the recorded SMHI values over HTTP', async () => {
    const body = await gw.query<ReadmeAnswer>(README_QUERY, undefined, { 'x-upstream-stats': '1' });
    expect(body.errors).toBeUndefined();
    const m = body.data!.municipality;
    expect(m.name).toBe('Stockholm');
    expect(m.county.name).toBe('Stockholms län');
    expect(m.forecast).toEqual(
      recorded.timeSeries.slice(0, 3).map((step) => ({
        validAt: step.time,
        airTemperature: step.data['air_temperature'],
        windSpeed: step.data['wind_speed'],
      })),
    );
    // The remote subgraph reports its upstream work in extensions; the gateway merges it.
    const stats = body.extensions?.['upstream'] as { calls: number; cacheHits: number; stale: string[] };
    expect(stats.calls + stats.cacheHits).toBe(1);
    expect(stats.stale).toEqual([]);
  });

  it('is ready while the remote subgraph answers', async () => {
    const res = await fetch(`${gw.url}/ready`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { checks: Record<string, string> }).checks['smhi']).toBe('reachable');
  });
});

describe('gateway with a remote smhi subgraph that is down', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      env: { SUBGRAPH_URLS: `smhi=http://127.0.0.1:${await freePort()}/graphql` },
    });
  });
  afterAll(() => gw?.stop());

  it('nulls only the forecast, with UPSTREAM_UNAVAILABLE and agency smhi', async () => {
    const body = await gw.query<ReadmeAnswer>(README_QUERY);
    expect(body.data).toEqual({
      municipality: { name: 'Stockholm', county: { name: 'Stockholms län' }, forecast: null },
    });
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', agency: 'smhi' });
    expect(body.errors?.[0]?.message).toMatch(/smhi/);
    // No transport details reach the client.
    expect(JSON.stringify(body.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
  });

  it('answers a query that needs only in-process subgraphs as usual', async () => {
    const body = await gw.query<{ municipality: { name: string } }>(
      '{ municipality(code: "2480") { name } }',
    );
    expect(body).toMatchObject({ data: { municipality: { name: 'Umeå' } } });
    expect(body.errors).toBeUndefined();
  });

  it('reports 503 on /ready, naming the unreachable subgraph', async () => {
    const res = await fetch(`${gw.url}/ready`);
    expect(res.status).toBe(503);
    const ready = (await res.json()) as { status: string; checks: Record<string, string> };
    expect(ready.status).toBe('not ready');
    expect(ready.checks).toMatchObject({
      supergraph: 'loaded',
      smhi: 'unreachable',
      lantmateriet: 'in-process',
    });
  });

  it('/health still answers (liveness is not readiness)', async () => {
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
  });
});

describe('per-request limits hold across fetches to a remote subgraph', () => {
  let subgraph: SubgraphServer;
  let gw: TestGateway;
  beforeAll(async () => {
    // An offline SMHI service that allows two forecast points per gateway request.
    const { createOfflineMode } = await import('../../kit/simulator.ts');
    const config = loadConfig({ SMHI_MAX_FORECAST_POINTS: '2' }).subgraphs;
    const offline = createOfflineMode([smhi], { config, now: Date.now });
    const runtime = smhi.create({
      config: config as never,
      cache: new Keyv(),
      logger: silentLogger,
      mode: 'offline',
      dispatcher: offline.dispatcher,
      now: Date.now,
    });
    subgraph = await serveSubgraph(runtime, 0);
    gw = await startTestGateway({ env: { UPSTREAM_MODE: 'offline', SUBGRAPH_URLS: `smhi=${subgraph.url}` } });
  });
  afterAll(async () => {
    await gw?.stop();
    await subgraph?.stop();
  });

  it("SMHI's forecast-point cap counts the whole gateway request, not each subgraph fetch", async () => {
    // Three aliases: the query planner sends each one's forecast to SMHI in its own fetch.
    const query = `{
      a: municipality(code: "0180") { forecast(hours: 1) { airTemperature } }
      b: municipality(code: "1480") { forecast(hours: 1) { airTemperature } }
      c: municipality(code: "2480") { forecast(hours: 1) { airTemperature } }
    }`;
    const body = await gw.query<Record<string, { forecast: unknown[] | null }>>(query);
    const answered = ['a', 'b', 'c'].filter((k) => body.data?.[k]?.forecast !== null);
    expect(answered).toHaveLength(2);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.message).toMatch(/at most 2 distinct places/);
    // The next request has its own allowance.
    const again = await gw.query<Record<string, { forecast: unknown[] | null }>>(
      '{ a: municipality(code: "0180") { forecast(hours: 1) { airTemperature } } }',
    );
    expect(again.errors).toBeUndefined();
  });
});
