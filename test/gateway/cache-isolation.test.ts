/**
 * A shared Redis cannot be poisoned: a demo (offline) gateway and a live one on the same Redis never
 * serve each other's answers (the mode is part of every key), deployments with another CACHE_PREFIX
 * never meet, and every key has exactly one prefix.
 */
import { createClient } from '@redis/client';
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp, type GatewayApp, type GatewayDeps } from '../../gateway/src/server.ts';
import { silentLogger } from '../../kit/logger.ts';
import { hasRedis, redisUrl } from '../helpers/services.ts';

const REDIS = redisUrl(10);
const QUERY = '{ municipality(code: "0180") { forecast(hours: 1) { time airTemperature } } }';

async function gateway(env: Record<string, string>, dispatcher?: GatewayDeps['dispatcher']) {
  const app = await createGatewayApp({
    config: loadConfig({ LOG_LEVEL: 'silent', CACHE_URL: REDIS, ...env }),
    logger: silentLogger,
    ...(dispatcher ? { dispatcher } : {}),
  });
  const url = await app.listen(0, '127.0.0.1');
  const query = async () =>
    (await (
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-upstream-stats': '1' },
        body: JSON.stringify({ query: QUERY }),
      })
    ).json()) as {
      data: { municipality: { forecast: Array<{ time: string; airTemperature: number }> | null } };
      extensions: { upstream: { calls: number; cacheHits: number } };
    };
  return { app, query };
}

/** A live SMHI that answers every forecast with one recognisable value (a MockAgent, no network). */
function liveSmhi(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get('https://opendata-download-metfcst.smhi.se')
    .intercept({ path: /\/geotype\/point\//, method: 'GET' })
    .reply(200, {
      createdTime: '2026-11-30T11:45:00Z',
      referenceTime: '2026-11-30T11:00:00Z',
      geometry: { type: 'Point', coordinates: [17.99, 59.32] },
      timeSeries: [
        {
          time: '2099-01-01T00:00:00Z',
          intervalParametersStartTime: '2098-12-31T23:00:00Z',
          data: { air_temperature: 42.5 },
        },
      ],
    })
    .persist();
  return agent;
}

describe.skipIf(!hasRedis())('one Redis, several gateways', () => {
  const redis = createClient({ url: REDIS });
  const apps: GatewayApp[] = [];
  beforeAll(async () => {
    await redis.connect();
    await redis.flushDb();
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    await redis.flushDb();
    await redis.quit();
  });

  it('a live gateway never serves what a demo gateway cached, nor the reverse', async () => {
    const demo = await gateway({ UPSTREAM_MODE: 'offline' });
    apps.push(demo.app);
    const offline = await demo.query();
    expect(offline.data.municipality.forecast![0]!.airTemperature).not.toBe(42.5);

    const agent = liveSmhi();
    const live = await gateway({ UPSTREAM_MODE: 'live' }, agent);
    apps.push(live.app);
    const first = await live.query();
    // The live gateway called (its mock of) SMHI instead of taking the demo's cached forecast.
    expect(first.data.municipality.forecast![0]!.airTemperature).toBe(42.5);
    expect(first.extensions.upstream.calls).toBeGreaterThan(0);

    // And the demo still serves its own cached answer, not the live one.
    const again = await demo.query();
    expect(again.data.municipality.forecast).toEqual(offline.data.municipality.forecast);
    expect(again.extensions.upstream.cacheHits).toBeGreaterThan(0);
    await agent.close();
  });

  it('keys carry one prefix (CACHE_PREFIX) and the mode; another prefix shares nothing', async () => {
    const keys = await redis.keys('*');
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key, key).toMatch(/^sodg:(?!:)(?!sodg:)/);
    expect(keys.some((k) => k.startsWith('sodg:smhi:v1:offline:GET '))).toBe(true);
    expect(keys.some((k) => k.startsWith('sodg:smhi:v1:live:GET '))).toBe(true);

    const other = await gateway({ UPSTREAM_MODE: 'offline', CACHE_PREFIX: 'staging' });
    apps.push(other.app);
    const answer = await other.query();
    expect(answer.extensions.upstream.cacheHits).toBe(0);
    expect(answer.extensions.upstream.calls).toBeGreaterThan(0);
    expect((await redis.keys('staging:smhi:*')).length).toBeGreaterThan(0);
  });

  it('a bad CACHE_PREFIX stops start-up with a message naming it', () => {
    expect(() => loadConfig({ CACHE_PREFIX: 'with space' })).toThrow(
      /CACHE_PREFIX="with space" is not allowed/,
    );
  });
});
