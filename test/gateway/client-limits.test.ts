/**
 * Fairness between clients: per-client request and cost rates (token buckets), answered with HTTP
 * 429 and Retry-After, in memory or shared by every replica through Redis.
 */
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../gateway/src/config.ts';
import { createGatewayApp, type GatewayApp } from '../../gateway/src/server.ts';
import { silentLogger } from '../../kit/logger.ts';
import { hasRedis, redisUrl } from '../helpers/services.ts';

const REDIS = redisUrl(11);
const apps: GatewayApp[] = [];

async function gateway(env: Record<string, string>) {
  const app = await createGatewayApp({
    config: loadConfig({ LOG_LEVEL: 'silent', UPSTREAM_MODE: 'offline', ...env }),
    logger: silentLogger,
  });
  apps.push(app);
  const url = await app.listen(0, '127.0.0.1');
  const post = async (query: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-upstream-stats': '1', ...headers },
      body: JSON.stringify({ query }),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as {
        data?: unknown;
        errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
        extensions?: { upstream?: { calls: number } };
      },
    };
  };
  return { url, post };
}

afterAll(async () => {
  for (const app of apps) await app.stop();
});

const CHEAP = '{ county(code: "01") { name } }';

describe('per-client request rate', () => {
  it('answers 429 with Retry-After once a client has used its burst; other clients are not affected', async () => {
    const gw = await gateway({ CLIENT_REQUESTS_PER_MINUTE: '6', CLIENT_REQUEST_BURST: '3' });
    const team = { 'x-api-key': 'team-lund' };
    for (let i = 0; i < 3; i++) expect((await gw.post(CHEAP, team)).status).toBe(200);
    const refused = await gw.post(CHEAP, team);
    expect(refused.status).toBe(429);
    // 6 per minute: one token every 10 s.
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(9);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(10);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      retryAfter: Number(refused.retryAfter),
      limit: 'CLIENT_REQUESTS_PER_MINUTE',
    });
    expect(refused.body.errors?.[0]?.message).toMatch(/try again in \d+ s/);
    // Another team (another key) and a client without a key (its IP) still get answers.
    expect((await gw.post(CHEAP, { 'x-api-key': 'team-umea' })).status).toBe(200);
    expect((await gw.post(CHEAP)).status).toBe(200);
  });

  it('tells clients behind a trusted proxy apart by X-Forwarded-For, and ignores it otherwise', async () => {
    const behindProxy = await gateway({
      CLIENT_REQUESTS_PER_MINUTE: '6',
      CLIENT_REQUEST_BURST: '1',
      TRUST_PROXY_HOPS: '1',
    });
    expect((await behindProxy.post(CHEAP, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect((await behindProxy.post(CHEAP, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(429);
    expect((await behindProxy.post(CHEAP, { 'x-forwarded-for': '203.0.113.8' })).status).toBe(200);
    // A client cannot escape by writing its own entries: only the last (the proxy's) one counts.
    expect((await behindProxy.post(CHEAP, { 'x-forwarded-for': '1.2.3.4, 203.0.113.8' })).status).toBe(429);

    const direct = await gateway({ CLIENT_REQUESTS_PER_MINUTE: '6', CLIENT_REQUEST_BURST: '1' });
    expect((await direct.post(CHEAP, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
    expect((await direct.post(CHEAP, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(429);
  });

  it('CLIENT_ID_HEADER=none: keys are ignored, the IP decides', async () => {
    const gw = await gateway({
      CLIENT_REQUESTS_PER_MINUTE: '6',
      CLIENT_REQUEST_BURST: '1',
      CLIENT_ID_HEADER: 'none',
    });
    expect((await gw.post(CHEAP, { 'x-api-key': 'a' })).status).toBe(200);
    expect((await gw.post(CHEAP, { 'x-api-key': 'b' })).status).toBe(429);
  });
});

describe('per-client cost rate', () => {
  it('refuses an operation the client cannot pay for, before any agency call', async () => {
    const gw = await gateway({
      MAX_QUERY_COST: '1000',
      CLIENT_COST_PER_MINUTE: '600',
      CLIENT_COST_BURST: '1000',
    });
    const key = { 'x-api-key': 'team-cost' };
    const query = '{ municipalities { code population } }';
    const first = await gw.post(query, key);
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    const second = await gw.post(query, key);
    expect(second.status).toBe(429);
    expect(second.body.errors?.[0]?.extensions).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      limit: 'CLIENT_COST_PER_MINUTE',
    });
    expect(Number(second.retryAfter)).toBeGreaterThan(0);
    expect(second.body.data).toBeUndefined();
    // Cheap operations of the same client still fit in what is left.
    expect((await gw.post(CHEAP, key)).status).toBe(200);
  });
});

describe.skipIf(!hasRedis())('shared through Redis', () => {
  const redis = createClient({ url: REDIS });
  beforeAll(async () => {
    await redis.connect();
    await redis.flushDb();
  });
  afterAll(async () => {
    await redis.flushDb();
    await redis.quit();
  });

  it('two replicas on one Redis count one client against one bucket, and /ready shows Redis', async () => {
    const env = {
      CACHE_URL: REDIS,
      CACHE_PREFIX: `limits${process.pid}`,
      CLIENT_REQUESTS_PER_MINUTE: '6',
      CLIENT_REQUEST_BURST: '3',
    };
    const a = await gateway(env);
    const b = await gateway(env);
    const key = { 'x-api-key': 'team-shared' };
    expect((await a.post(CHEAP, key)).status).toBe(200);
    expect((await b.post(CHEAP, key)).status).toBe(200);
    expect((await a.post(CHEAP, key)).status).toBe(200);
    expect((await b.post(CHEAP, key)).status).toBe(429);
    const keys = await redis.keys(`limits${process.pid}:clients:requests:*`);
    expect(keys).toHaveLength(1);
    // The key itself is never stored: only a hash of it.
    expect(keys[0]).not.toContain('team-shared');
    const ready = (await (await fetch(`${a.url}/ready`)).json()) as { redis: Record<string, string> };
    expect(ready.redis).toEqual({
      cache: 'up',
      clientLimits: 'up',
      persistedQueries: 'up',
      responseCache: 'up',
    });
  });
});

describe.skipIf(!hasRedis())('RATE_LIMITS shared through Redis', () => {
  it("two replicas together keep to an agency's limit: the second replica's call waits for the first's window", async () => {
    const { createOfflineMode } = await import('../../kit/simulator.ts');
    const { subgraphModules } = await import('../../subgraphs/index.ts');
    const prefix = `rl${process.pid}`;
    const replica = async () => {
      // Live mode with the simulators as the network, so that RATE_LIMITS applies (offline mode skips it).
      const config = loadConfig({
        LOG_LEVEL: 'silent',
        UPSTREAM_MODE: 'live',
        CACHE_URL: REDIS,
        CACHE_PREFIX: prefix,
        RATE_LIMITS: 'jobtech=2/30',
        REQUEST_DEADLINE_MS: '1500',
        CLIENT_REQUESTS_PER_MINUTE: '0',
      });
      const offline = createOfflineMode([...subgraphModules], { config: config.subgraphs, now: Date.now });
      const app = await createGatewayApp({ config, logger: silentLogger, dispatcher: offline.dispatcher });
      apps.push(app);
      const url = await app.listen(0, '127.0.0.1');
      return async (search: string) =>
        (await (
          await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: `{ jobAds(query: "${search}", limit: 1) { total } }` }),
          })
        ).json()) as { errors?: Array<{ extensions: { code: string } }> };
    };
    const a = await replica();
    const b = await replica();
    expect((await a('rl-one')).errors).toBeUndefined();
    expect((await a('rl-two')).errors).toBeUndefined();
    // Two calls in this 30 s window already, made by the other replica: this one must wait, and its
    // request's deadline (1.5 s) ends first.
    const third = await b('rl-three');
    expect(third.errors?.[0]?.extensions.code).toBe('UPSTREAM_TIMEOUT');
  }, 30_000);
});
