import { randomUUID } from 'node:crypto';
import Keyv from 'keyv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheGet, cacheSet, closeCache, createCache } from '../../kit/cache.ts';
import { codeForUpstream, type UpstreamError } from '../../kit/errors.ts';
import { silentLogger } from '../../kit/logger.ts';
import { snapshotKey } from '../../kit/snapshot.ts';
import { createTrace, createUpstream } from '../../kit/upstream.ts';
import { freePort } from '../gateway/ports.ts';
import { hasRedis, redisUrl } from '../helpers/services.ts';
import { anyJson, fakeClock, type Harness, harness, ORIGIN, offlineAgent, rejectionOf } from './helpers.ts';

const MINUTE = 60_000;
const cleanups: Array<() => Promise<unknown>> = [];
let h: Harness | undefined;

afterEach(async () => {
  if (h) {
    h.agent.assertNoPendingInterceptors();
    await h.agent.close();
    h = undefined;
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('upstream response cache', () => {
  it('serves the second identical request from the cache (hit), the first from upstream (miss)', async () => {
    h = harness({ defaultTtlMs: 5 * MINUTE });
    h.agent.get(ORIGIN).intercept({ path: '/c', method: 'GET' }).reply(200, { n: 1 });
    const first = createTrace();
    const second = createTrace();
    expect(await h.upstream.request({ path: '/c', parse: anyJson, trace: first })).toEqual({
      data: { n: 1 },
      stale: false,
      cached: false,
    });
    expect(await h.upstream.request({ path: '/c', parse: anyJson, trace: second })).toEqual({
      data: { n: 1 },
      stale: false,
      cached: true,
    });
    expect(first).toMatchObject({ upstreamCalls: 1, cacheHits: 0 });
    expect(second).toMatchObject({ upstreamCalls: 0, cacheHits: 1 });
  });

  it('goes upstream again once the per-endpoint TTL has passed (fake clock)', async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/c', method: 'GET' }).reply(200, { n: 1 });
    pool.intercept({ path: '/c', method: 'GET' }).reply(200, { n: 2 });
    expect(await h.upstream.get({ path: '/c', parse: anyJson, ttlMs: 10 * MINUTE })).toEqual({ n: 1 });
    h.clock.advance(10 * MINUTE - 1);
    expect(await h.upstream.get({ path: '/c', parse: anyJson, ttlMs: 10 * MINUTE })).toEqual({ n: 1 });
    h.clock.advance(1);
    expect(await h.upstream.get({ path: '/c', parse: anyJson, ttlMs: 10 * MINUTE })).toEqual({ n: 2 });
  });

  it("respects the upstream's Cache-Control max-age over the endpoint default", async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool
      .intercept({ path: '/c', method: 'GET' })
      .reply(200, { n: 1 }, { headers: { 'cache-control': 'public, max-age=60' } });
    pool.intercept({ path: '/c', method: 'GET' }).reply(200, { n: 2 });
    const get = () => h!.upstream.get({ path: '/c', parse: anyJson, ttlMs: 30 * MINUTE });
    expect(await get()).toEqual({ n: 1 });
    h.clock.advance(59_000);
    expect(await get()).toEqual({ n: 1 });
    h.clock.advance(1_000);
    expect(await get()).toEqual({ n: 2 });
  });

  it('forceTtl ignores the upstream max-age', async () => {
    h = harness();
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/c', method: 'GET' })
      .reply(200, { n: 1 }, { headers: { 'cache-control': 'max-age=1' } });
    const get = () => h!.upstream.get({ path: '/c', parse: anyJson, ttlMs: 10 * MINUTE, forceTtl: true });
    expect(await get()).toEqual({ n: 1 });
    h.clock.advance(5 * MINUTE);
    expect(await get()).toEqual({ n: 1 });
  });

  it('does not cache a response marked no-store', async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool
      .intercept({ path: '/c', method: 'GET' })
      .reply(200, { n: 1 }, { headers: { 'cache-control': 'no-store' } });
    pool.intercept({ path: '/c', method: 'GET' }).reply(200, { n: 2 });
    expect(await h.upstream.get({ path: '/c', parse: anyJson })).toEqual({ n: 1 });
    expect(await h.upstream.get({ path: '/c', parse: anyJson })).toEqual({ n: 2 });
  });

  it('caches a 404 as null where the caller says a 404 means "no such thing"', async () => {
    h = harness();
    h.agent.get(ORIGIN).intercept({ path: '/gone', method: 'GET' }).reply(404, {});
    expect(await h.upstream.get({ path: '/gone', parse: anyJson, notFoundIsNull: true })).toBeNull();
    expect(await h.upstream.request({ path: '/gone', parse: anyJson, notFoundIsNull: true })).toEqual({
      data: null,
      stale: false,
      cached: true,
    });
  });

  it('never caches a failed response: the next request goes upstream again', async () => {
    h = harness({ retries: 0 });
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/f', method: 'GET' }).reply(503, { error: 'down' });
    pool.intercept({ path: '/f', method: 'GET' }).reply(400, { error: 'bad' });
    pool.intercept({ path: '/f', method: 'GET' }).reply(200, { ok: true });
    expect(await rejectionOf(h.upstream.get({ path: '/f', parse: anyJson }))).toMatchObject({ status: 503 });
    expect(await rejectionOf(h.upstream.get({ path: '/f', parse: anyJson }))).toMatchObject({ status: 400 });
    expect(await h.upstream.get({ path: '/f', parse: anyJson })).toEqual({ ok: true });
  });

  it('a response rejected by parse is not cached', async () => {
    h = harness();
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/p', method: 'GET' }).reply(200, { broken: true });
    pool.intercept({ path: '/p', method: 'GET' }).reply(200, { value: 1 });
    const parse = (json: unknown) => {
      if (typeof (json as { value?: unknown }).value !== 'number') throw new Error('no value');
      return json;
    };
    expect(await rejectionOf(h.upstream.get({ path: '/p', parse }))).toMatchObject({ kind: 'BAD_PAYLOAD' });
    expect(await h.upstream.get({ path: '/p', parse })).toEqual({ value: 1 });
  });
});

describe('stale-if-error', () => {
  it('serves the last good response marked stale, and names the agency in trace.stale', async () => {
    h = harness({ retries: 0 });
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/s', method: 'GET' }).reply(200, { temp: 3.5 });
    pool.intercept({ path: '/s', method: 'GET' }).reply(503, { error: 'maintenance' });
    await h.upstream.get({ path: '/s', parse: anyJson, ttlMs: MINUTE });
    h.clock.advance(2 * MINUTE);
    const trace = createTrace();
    const result = await h.upstream.request({ path: '/s', parse: anyJson, ttlMs: MINUTE, trace });
    expect(result).toEqual({ data: { temp: 3.5 }, stale: true, cached: true });
    expect([...trace.stale]).toEqual(['test']);
  });

  it('serves stale after a timeout too, and every single-flight joiner is marked stale', async () => {
    h = harness({ retries: 0, headersTimeoutMs: 20 });
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/s', method: 'GET' }).reply(200, { temp: 1 });
    pool.intercept({ path: '/s', method: 'GET' }).reply(200, { temp: 2 }).delay(1_000);
    await h.upstream.get({ path: '/s', parse: anyJson, ttlMs: MINUTE });
    h.clock.advance(2 * MINUTE);
    const traces = [createTrace(), createTrace(), createTrace()];
    const results = await Promise.all(
      traces.map((trace) => h!.upstream.request({ path: '/s', parse: anyJson, ttlMs: MINUTE, trace })),
    );
    expect(results.map((r) => r.stale)).toEqual([true, true, true]);
    expect(traces.map((t) => [...t.stale])).toEqual([['test'], ['test'], ['test']]);
  });

  it('does not hide a 400 behind a stale entry (that is our bad request, not an outage)', async () => {
    h = harness({ retries: 0 });
    const pool = h.agent.get(ORIGIN);
    pool.intercept({ path: '/s', method: 'GET' }).reply(200, { temp: 1 });
    pool.intercept({ path: '/s', method: 'GET' }).reply(400, {});
    await h.upstream.get({ path: '/s', parse: anyJson, ttlMs: MINUTE });
    h.clock.advance(2 * MINUTE);
    const err = (await rejectionOf(h.upstream.get({ path: '/s', parse: anyJson }))) as UpstreamError;
    expect(codeForUpstream(err)).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('without a previous good response the failure reaches the caller', async () => {
    h = harness({ retries: 0 });
    h.agent.get(ORIGIN).intercept({ path: '/s', method: 'GET' }).reply(503, {});
    const trace = createTrace();
    const err = (await rejectionOf(h.upstream.get({ path: '/s', parse: anyJson, trace }))) as UpstreamError;
    expect(codeForUpstream(err)).toBe('UPSTREAM_UNAVAILABLE');
    expect(trace.stale.size).toBe(0);
  });
});

describe('cache outage is a miss, never a failure', () => {
  it('a keyv whose store throws: requests still answer, from upstream each time', async () => {
    const broken = {
      get: () => {
        throw new Error('store exploded');
      },
      set: () => {
        throw new Error('store exploded');
      },
      delete: () => false,
      clear: () => undefined,
      has: () => false,
    } as unknown as Map<string, unknown>;
    const cache = new Keyv({ store: broken });
    const errors: unknown[] = [];
    cache.on('error', (err: unknown) => errors.push(err));
    h = harness({ cache });
    h.agent.get(ORIGIN).intercept({ path: '/o', method: 'GET' }).reply(200, { ok: true }).times(2);
    expect(await h.upstream.get({ path: '/o', parse: anyJson })).toEqual({ ok: true });
    expect(await h.upstream.get({ path: '/o', parse: anyJson })).toEqual({ ok: true });
  });

  it('a store that never answers is timed out after cacheTimeoutMs', async () => {
    const hanging = {
      get: () => new Promise(() => undefined),
      set: () => new Promise(() => undefined),
      delete: () => false,
      clear: () => undefined,
      has: () => false,
    } as unknown as Map<string, unknown>;
    h = harness({ cache: new Keyv({ store: hanging }), cacheTimeoutMs: 20 });
    h.agent.get(ORIGIN).intercept({ path: '/o', method: 'GET' }).reply(200, { ok: true });
    expect(await h.upstream.get({ path: '/o', parse: anyJson })).toEqual({ ok: true });
  });

  it('a Redis URL pointing at a closed port: answers from upstream, then from the in-process fallback, and does not hang', async () => {
    // A port nothing listens on.
    const cache = createCache({ url: `redis://127.0.0.1:${await freePort()}`, logger: silentLogger });
    h = harness({ cache, cacheTimeoutMs: 100 });
    h.agent.get(ORIGIN).intercept({ path: '/o', method: 'GET' }).reply(200, { ok: true });
    const trace = createTrace();
    expect(await h.upstream.get({ path: '/o', parse: anyJson, trace })).toEqual({ ok: true });
    expect(await h.upstream.get({ path: '/o', parse: anyJson, trace })).toEqual({ ok: true });
    // The answer Redis could not take was kept in this process: the second read needs no call.
    expect(trace.upstreamCalls).toBe(1);
    expect(trace.cacheHits).toBe(1);
    expect(await cacheGet(cache, 'anything', 100, silentLogger)).toBeUndefined();
    // A graceful close waits for a connection that never comes; closeCache falls back to force.
    await closeCache(cache, 200);
  });
});

describe('in-memory LRU', () => {
  it('round-trips JSON values, strings starting with ":" included', async () => {
    const cache = createCache({ logger: silentLogger });
    const value = { text: ':colon', nested: [{ n: 1.5, s: 'Umeå', empty: null }], flag: false };
    await cacheSet(cache, 'v', value, MINUTE, 100, silentLogger);
    expect(await cacheGet(cache, 'v', 100, silentLogger)).toEqual(value);
  });

  it('hands every reader the same frozen value: no reader can change what the next one gets', async () => {
    const cache = createCache({ logger: silentLogger });
    h = harness({ cache });
    h.agent
      .get(ORIGIN)
      .intercept({ path: '/m', method: 'GET' })
      .reply(200, { steps: [1, 2, 3] });
    const first = (await h.upstream.get({ path: '/m', parse: anyJson })) as { steps: number[] };
    // Modules are strict: changing a frozen value throws instead of altering the cache silently.
    expect(() => first.steps.reverse()).toThrow(TypeError);
    const second = (await h.upstream.get({ path: '/m', parse: anyJson })) as { steps: number[] };
    expect(() => second.steps.push(4)).toThrow(TypeError);
    expect(() => Object.assign(second, { steps: [] })).toThrow(TypeError);
    // A hit is the very value the miss stored: no parse, no copy.
    expect(second).toBe(first);
    // A reader that needs to change it takes a copy of its own.
    const copy = structuredClone(second);
    copy.steps.reverse();
    expect(await h.upstream.get({ path: '/m', parse: anyJson })).toEqual({ steps: [1, 2, 3] });
  });

  it('a hit parses nothing (the first level holds parsed values)', async () => {
    const cache = createCache({ logger: silentLogger });
    h = harness({ cache });
    h.agent.get(ORIGIN).intercept({ path: '/p', method: 'GET' }).reply(200, { n: 1 });
    await h.upstream.get({ path: '/p', parse: anyJson });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const trace = createTrace();
      expect(await h.upstream.get({ path: '/p', parse: anyJson, trace })).toEqual({ n: 1 });
      expect(trace.cacheHits).toBe(1);
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('is bounded: the least recently used entry is evicted', async () => {
    const cache = createCache({ maxEntries: 2, logger: silentLogger });
    for (const key of ['a', 'b', 'c']) await cacheSet(cache, key, { key }, MINUTE, 100, silentLogger);
    expect(await cacheGet(cache, 'a', 100, silentLogger)).toBeUndefined();
    expect(await cacheGet(cache, 'c', 100, silentLogger)).toEqual({ key: 'c' });
  });
});

describe.skipIf(!hasRedis())('Redis store (REDIS_URL)', () => {
  const run = `kit-test-${randomUUID()}`;
  const redis = () => {
    const cache = createCache({ url: redisUrl(), logger: silentLogger });
    cleanups.push(() => closeCache(cache));
    return cache;
  };

  it('two cache instances share an entry', async () => {
    const writer = redis();
    const reader = redis();
    const key = `${run}:shared`;
    cleanups.unshift(() => writer.delete(key));
    await cacheSet(writer, key, { population: 988_943 }, MINUTE, 1_000, silentLogger);
    expect(await cacheGet(reader, key, 1_000, silentLogger)).toEqual({ population: 988_943 });
  });

  it('a reader parses an entry from Redis once, then serves it from its own first level (frozen)', async () => {
    const writer = redis();
    const reader = redis();
    const key = `${run}:first-level`;
    cleanups.unshift(() => writer.delete(key));
    await cacheSet(writer, key, { v: 1 }, MINUTE, 1_000, silentLogger);
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const first = await cacheGet<{ v: number }>(reader, key, 1_000, silentLogger);
      expect(first).toEqual({ v: 1 });
      expect(parse).toHaveBeenCalled();
      parse.mockClear();
      const second = await cacheGet<{ v: number }>(reader, key, 1_000, silentLogger);
      expect(second).toBe(first);
      expect(parse).not.toHaveBeenCalled();
      expect(Object.isFrozen(second)).toBe(true);
    } finally {
      parse.mockRestore();
    }
    // Another replica refreshes the entry: a local value the caller still accepts is served as it
    // is; one it no longer accepts (expired, another data version) is read from Redis again.
    await cacheSet(writer, key, { v: 2 }, MINUTE, 1_000, silentLogger);
    expect(await cacheGet(reader, key, 1_000, silentLogger, () => true)).toEqual({ v: 1 });
    expect(await cacheGet(reader, key, 1_000, silentLogger, () => false)).toEqual({ v: 2 });
  });

  it('two gateway replicas: the second upstream answers from the entry the first one fetched', async () => {
    const agency = `${run}-agency`;
    const clock = fakeClock();
    const first = offlineAgent();
    const second = offlineAgent();
    first.get(ORIGIN).intercept({ path: '/shared', method: 'GET' }).reply(200, { from: 'upstream' });
    const make = (cache: Keyv, dispatcher: typeof first) =>
      createUpstream({ agency, baseUrl: ORIGIN, cache, logger: silentLogger, dispatcher, now: clock.now });
    const a = make(redis(), first);
    const b = make(redis(), second);
    const key = `${agency}:v1:live:${snapshotKey('GET', `${ORIGIN}/shared`)}`;
    const cleaner = redis();
    cleanups.unshift(async () => {
      await cleaner.delete(key);
      expect(await cleaner.get(key)).toBeUndefined();
    });
    expect(await a.request({ path: '/shared', parse: anyJson })).toMatchObject({ cached: false });
    // `second` has no interceptors and refuses the network: only the shared cache can answer.
    expect(await b.request({ path: '/shared', parse: anyJson })).toEqual({
      data: { from: 'upstream' },
      stale: false,
      cached: true,
    });
    first.assertNoPendingInterceptors();
    await Promise.all([first.close(), second.close()]);
  });
});
