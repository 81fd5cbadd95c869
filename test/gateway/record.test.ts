/**
 * `npm run record` cannot reach the agencies here, so its mechanism is proven with a MockAgent as
 * the live upstream: record mode writes the exchanges into a temporary SNAPSHOT_DIR, and a gateway in
 * snapshot mode then answers the same queries from those files alone.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import type { RecordedExchange } from '../../kit/snapshot.ts';
import { README_QUERY, type RecordReport, recordSnapshot } from '../../scripts/record.ts';
import { offlineAgent, startTestGateway } from '../helpers/gateway.ts';
import { freePort } from './ports.ts';

const FORECAST_ORIGIN = 'https://opendata-download-metfcst.smhi.se';
const FORECAST_PATH =
  /^\/api\/category\/snow1g\/version\/1\/geotype\/point\/lon\/[\d.]+\/lat\/[\d.]+\/data\.json$/;
const fixture = JSON.parse(
  readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
) as { timeSeries: Array<{ time: string; data: Record<string, number> }> };

/** Examples in the format of schema/examples/: one answered upstream, one whose upstream fails. */
const EXAMPLES = {
  'forecast-at-sergels-torg.graphql': `# Title: Forecast at Sergels torg
# Description: SMHI's forecast at one point.
# Variables: {"latitude": 59.3293, "longitude": 18.0686}
query ForecastAtSergelsTorg($latitude: Float!, $longitude: Float!) {
  place(latitude: $latitude, longitude: $longitude) { forecast(hours: 2) { time airTemperature } }
}
`,
  'forecast-in-kiruna.graphql': `# Title: Forecast in Kiruna
# Description: A point whose upstream answers 503 while recording.
query ForecastInKiruna {
  place(latitude: 67.8558, longitude: 20.2253) { forecast(hours: 1) { time } }
}
`,
};

describe('npm run record (mechanism, with a mock upstream)', () => {
  let dir: string;
  let snapshotDir: string;
  let examplesDir: string;
  let report: RecordReport;
  const requested: string[] = [];
  const sentHeaders: Array<Record<string, string>> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sodg-record-'));
    snapshotDir = join(dir, 'snapshot');
    examplesDir = join(dir, 'examples');
    mkdirSync(examplesDir);
    for (const [name, text] of Object.entries(EXAMPLES)) writeFileSync(join(examplesDir, name), text);

    const agent = offlineAgent();
    const smhi = agent.get(FORECAST_ORIGIN);
    // Kiruna: the agency is down (all attempts).
    smhi
      .intercept({ path: (p) => FORECAST_PATH.test(p) && p.includes('/lat/67.8558/'), method: 'GET' })
      .reply(503, { error: 'maintenance' })
      .times(3);
    smhi
      .intercept({ path: (p) => FORECAST_PATH.test(p) && !p.includes('/lat/67.8558/'), method: 'GET' })
      .reply(200, (opts) => {
        requested.push(opts.path);
        sentHeaders.push(opts.headers as Record<string, string>);
        return fixture;
      })
      .persist();
    report = await recordSnapshot({
      env: { SNAPSHOT_DIR: snapshotDir, LOG_LEVEL: 'silent' },
      examplesDir,
      dispatcher: agent,
      logger: silentLogger,
    });
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the README query and every example, and reports what failed', () => {
    expect(report.snapshotDir).toBe(snapshotDir);
    expect(report.queries.map((q) => q.name)).toEqual([
      'README query',
      'forecast-at-sergels-torg.graphql',
      'forecast-in-kiruna.graphql',
    ]);
    expect(report.queries[0]).toEqual({ name: 'README query', upstreamCalls: 1, errors: [] });
    expect(report.queries[1]).toEqual({
      name: 'forecast-at-sergels-torg.graphql',
      upstreamCalls: 1,
      errors: [],
    });
    expect(report.queries[2]?.errors).toEqual([
      'UPSTREAM_UNAVAILABLE smhi: smhi answered HTTP 503 for ' +
        '/api/category/snow1g/version/1/geotype/point/lon/20.2253/lat/67.8558/data.json',
    ]);
    expect(report.recorded).toBe(2);
    expect(report.failed).toBe(1);
  });

  it('writes one file per successful exchange, none for the failure, and no request headers', () => {
    const files = readdirSync(snapshotDir).sort();
    expect(files).toHaveLength(2);
    expect(requested).toHaveLength(2);
    for (const file of files) {
      const text = readFileSync(join(snapshotDir, file), 'utf8');
      const exchange = JSON.parse(text) as RecordedExchange;
      expect(Object.keys(exchange.request).sort()).toEqual(['method', 'url']);
      expect(exchange.request.url).toMatch(/^https:\/\/opendata-download-metfcst\.smhi\.se\/api\//);
      expect(exchange.response.status).toBe(200);
      expect(exchange.response.body).toEqual(fixture);
      // The headers we sent are not in the file.
      expect(sentHeaders[0]?.['user-agent']).toMatch(/sweden-open-data-graph/);
      expect(text).not.toContain('sweden-open-data-graph');
      expect(text).not.toContain('accept-encoding');
    }
    expect(files.join(' ')).not.toMatch(/67\.8558/);
  });

  it('a gateway in snapshot mode answers the README query from the new recording alone', async () => {
    const gw = await startTestGateway({ env: { SNAPSHOT_DIR: snapshotDir } });
    try {
      const body = await gw.query<{
        municipality: {
          name: string;
          forecast: Array<{ validAt: string; airTemperature: number; windSpeed: number }>;
        };
      }>(README_QUERY);
      expect(body.errors).toBeUndefined();
      expect(body.data?.municipality.forecast).toEqual(
        fixture.timeSeries.slice(0, 3).map((s) => ({
          validAt: s.time,
          airTemperature: s.data['air_temperature'],
          windSpeed: s.data['wind_speed'],
        })),
      );
      // The point that failed while recording is still missing, and says so.
      const kiruna = await gw.query(
        '{ place(latitude: 67.8558, longitude: 20.2253) { forecast(hours: 1) { time } } }',
      );
      expect(kiruna.errors?.[0]?.message).toMatch(/No recorded smhi response/);
    } finally {
      await gw.stop();
    }
  });

  it('ignores CACHE_URL: a shared cache hit would skip the recording', async () => {
    const again = mkdtempSync(join(tmpdir(), 'sodg-record-again-'));
    const agent = offlineAgent();
    agent
      .get(FORECAST_ORIGIN)
      .intercept({ path: (p) => FORECAST_PATH.test(p), method: 'GET' })
      .reply(200, fixture)
      .persist();
    try {
      mkdirSync(join(dir, 'no-examples'));
      const cacheRun = await recordSnapshot({
        env: { SNAPSHOT_DIR: again, LOG_LEVEL: 'silent', CACHE_URL: `redis://127.0.0.1:${await freePort()}` },
        examplesDir: join(dir, 'no-examples'),
        dispatcher: agent,
        logger: silentLogger,
      });
      expect(cacheRun.queries).toEqual([{ name: 'README query', upstreamCalls: 1, errors: [] }]);
      expect(readdirSync(again)).toHaveLength(1);
    } finally {
      await agent.close();
      rmSync(again, { recursive: true, force: true });
    }
  });
});
