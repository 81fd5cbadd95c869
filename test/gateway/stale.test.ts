import { readFileSync } from 'node:fs';
import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp } from '../../gateway/src/server.ts';
import { silentLogger } from '../../kit/logger.ts';
import type { UpstreamEvent } from '../../kit/upstream.ts';
import { offlineAgent } from '../helpers/gateway.ts';

const forecast = JSON.parse(
  readFileSync('test/fixtures/smhi/forecast_snow1g_v1_point_pysmhi_2026-04-02.json', 'utf8'),
) as { timeSeries: Array<{ time: string; data: Record<string, number> }> };
const QUERY = '{ municipality(code: "0180") { name forecast(hours: 1) { time airTemperature } } }';
const FORECAST_PATH = /\/geotype\/point\/lon\/[\d.]+\/lat\/[\d.]+\/data\.json$/;

describe('stale-if-error through the gateway', () => {
  it('serves the last good forecast when SMHI fails after expiry, and says so in extensions.stale', async () => {
    let clock = Date.parse('2026-04-02T11:30:00Z');
    const agent = offlineAgent();
    const smhi = agent.get('https://opendata-download-metfcst.smhi.se');
    smhi.intercept({ path: FORECAST_PATH, method: 'GET' }).reply(200, forecast);
    smhi.intercept({ path: FORECAST_PATH, method: 'GET' }).reply(503, { error: 'maintenance' }).times(3);
    const events: UpstreamEvent[] = [];
    const app = await createGatewayApp({
      config: loadConfig({ UPSTREAM_MODE: 'live', LOG_LEVEL: 'silent' }),
      logger: silentLogger,
      cache: new Keyv(),
      dispatcher: agent,
      now: () => clock,
      onUpstreamEvent: (e) => events.push(e),
    });
    const url = await app.listen(0, '127.0.0.1');
    const query = async () =>
      (await (
        await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-upstream-stats': '1' },
          body: JSON.stringify({ query: QUERY }),
        })
      ).json()) as { data: unknown; errors?: unknown[]; extensions?: Record<string, unknown> };
    try {
      const expected = {
        municipality: {
          name: 'Stockholm',
          forecast: [
            {
              time: forecast.timeSeries[0]?.time,
              airTemperature: forecast.timeSeries[0]?.data['air_temperature'],
            },
          ],
        },
      };
      const fresh = await query();
      expect(fresh.data).toEqual(expected);
      expect(fresh.extensions?.['stale']).toBeUndefined();

      // Past the 30-minute forecast TTL, SMHI answers 503 to every attempt.
      clock += 31 * 60_000;
      const stale = await query();
      expect(stale.errors).toBeUndefined();
      expect(stale.data).toEqual(expected);
      expect(stale.extensions?.['stale']).toEqual(['smhi']);
      expect(stale.extensions?.['upstream']).toMatchObject({ calls: 3, stale: ['smhi'] });
      expect(events.map((e) => e.outcome)).toEqual(['miss', 'stale']);
      agent.assertNoPendingInterceptors();
    } finally {
      await app.stop();
      await agent.close();
    }
  });
});
