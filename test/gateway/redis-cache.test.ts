/**
 * CACHE_URL end to end: replicas share upstream responses through Redis (127.0.0.1:6379), and a
 * Redis that is down costs only cache hits: queries still answer and shutdown does not hang.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp, type GatewayApp } from '../../gateway/src/server.ts';
import { closeCache, createCache } from '../../kit/cache.ts';
import { silentLogger } from '../../kit/logger.ts';
import { snapshotKey } from '../../kit/snapshot.ts';
import { README_QUERY } from '../helpers/readme-query.ts';
import { hasRedis, redisUrl as redisUrlOf } from '../helpers/services.ts';
import { freePort } from './ports.ts';

/** The recording that answers the README query (snapshot/manifest/smhi.json). */
const FORECAST_URL =
  'https://opendata-download-metfcst.smhi.se/api/category/snow1g/version/1/geotype/point/lon/17.99689/lat/59.322029/data.json';

interface Body {
  data?: { municipality: { name: string; forecast: unknown[] | null } };
  errors?: unknown[];
  extensions?: { upstream?: { calls: number; cacheHits: number } };
}

async function replica(
  env: Record<string, string>,
): Promise<{ app: GatewayApp; url: string; query: () => Promise<Body> }> {
  const app = await createGatewayApp({
    config: loadConfig({ UPSTREAM_MODE: 'snapshot', LOG_LEVEL: 'silent', ...env }),
    logger: silentLogger,
  });
  const url = await app.listen(0, '127.0.0.1');
  return {
    app,
    url,
    query: async () =>
      (await (
        await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-upstream-stats': '1' },
          body: JSON.stringify({ query: README_QUERY }),
        })
      ).json()) as Body,
  };
}

describe.skipIf(!hasRedis())('CACHE_URL', () => {
  // A database of its own, so the recorded forecast never shows up in another test's cache.
  const redisUrl = redisUrlOf(13);
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('two gateway replicas share upstream responses through Redis', async () => {
    const cleaner = createCache({ url: redisUrl, logger: silentLogger });
    const key = `smhi:v1:snapshot:${snapshotKey('GET', FORECAST_URL)}`;
    cleanups.push(async () => {
      await cleaner.delete(key);
      await closeCache(cleaner);
    });
    await cleaner.delete(key);
    const a = await replica({ CACHE_URL: redisUrl });
    const b = await replica({ CACHE_URL: redisUrl });
    try {
      const first = await a.query();
      expect(first.errors).toBeUndefined();
      expect(first.extensions?.upstream).toMatchObject({ calls: 1, cacheHits: 0 });
      const second = await b.query();
      expect(second.data).toEqual(first.data);
      expect(second.extensions?.upstream).toMatchObject({ calls: 0, cacheHits: 1 });
      expect(await cleaner.get(key)).toBeDefined();
    } finally {
      await a.app.stop();
      await b.app.stop();
    }
  });

  it("with Redis down, queries still answer (from upstream, then this process's cache) and stop() returns", async () => {
    const down = await replica({ CACHE_URL: `redis://127.0.0.1:${await freePort()}` });
    try {
      const answers = [];
      for (let i = 0; i < 2; i++) {
        const body = await down.query();
        expect(body.errors).toBeUndefined();
        expect(body.data?.municipality.name).toBe('Stockholm');
        answers.push(body.extensions?.upstream);
      }
      // The answer Redis could not store was kept in the process, so the second is a hit.
      expect(answers).toMatchObject([
        { calls: 1, cacheHits: 0 },
        { calls: 0, cacheHits: 1 },
      ]);
      const ready = (await (await fetch(`${down.url}/ready`)).json()) as { redis: Record<string, string> };
      expect(ready.redis['cache']).toMatch(/^(up|down)$/);
    } finally {
      await down.app.stop();
    }
  });
});
