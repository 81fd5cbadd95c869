import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { connectRedis, createRedisRateLimiter, type RedisEvalClient } from '../../kit/ratelimit-redis.ts';
import { geography } from '../../kit/sweden.ts';
import { createAdaptiveRateLimiter } from '../../subgraphs/scb/limiter.ts';
import { hasRedis, redisUrl } from '../helpers/services.ts';
import { fakeClock } from '../kit/helpers.ts';
import { entitiesQuery, fixture, type ScbHarness, scbHarness } from './helpers.ts';

/** The largest number of timestamps inside any half-open window [t, t + windowMs). */
function busiestWindow(stamps: number[], windowMs: number): number {
  const sorted = [...stamps].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j]! - sorted[i]! < windowMs) j++;
    best = Math.max(best, j - i);
  }
  return best;
}

const CODES = [...geography().municipalities.keys()].slice(0, 200);

let h: ScbHarness | undefined;
afterEach(async () => {
  await h?.runtime.close();
  await h?.scb.agent.close();
  h = undefined;
});

async function concurrentQueries(harness: ScbHarness) {
  // 200 separate GraphQL requests (each its own loaders), each for another municipality: 200 distinct data requests.
  return Promise.all(
    CODES.map((code) =>
      harness.run(entitiesQuery('population(year: 2024)'), { r: [{ __typename: 'Municipality', code }] }),
    ),
  );
}

describe('SCB rate limit under 200 concurrent GraphQL requests (fake clock)', () => {
  it('never more than maxCallsPerTimeWindow (30 per 10 s from /config) in any window; all queued, none failed', async () => {
    h = scbHarness();
    const results = await concurrentQueries(h);
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const stamps = h.scb.calls.map((c) => c.at);
    expect(h.scb.dataCalls()).toHaveLength(200);
    expect(stamps).toHaveLength(203); // + /config + /tables/TAB638 (version check) + TAB638 metadata
    expect(busiestWindow(stamps, 10_000)).toBeLessThanOrEqual(30);
    // …and it is not needlessly slow: 203 calls at 30 per 10 s need about 7 windows.
    expect(Math.max(...stamps) - Math.min(...stamps)).toBeLessThan(80_000);
  });

  it('honours a stricter /config (3 per 1 s, the other recorded setting)', async () => {
    h = scbHarness({ config: fixture('v2_config__pxwebpy.json') });
    const results = await concurrentQueries(h);
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const stamps = h.scb.calls.map((c) => c.at);
    expect(busiestWindow(stamps, 1_000)).toBeLessThanOrEqual(3);
    expect(busiestWindow(stamps, 10_000)).toBeLessThanOrEqual(30);
  });

  it('falls back to 3 per 1 s when /config fails (the failed /config call counts too)', async () => {
    h = scbHarness({ config: 503 });
    const results = await concurrentQueries(h);
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(
      busiestWindow(
        h.scb.calls.map((c) => c.at),
        1_000,
      ),
    ).toBeLessThanOrEqual(3);
  });
});

describe('adaptive limiter', () => {
  it('carries calls already made into a new limit, and re-queues waiters of the old one', async () => {
    const clock = fakeClock();
    const limiter = createAdaptiveRateLimiter({
      now: clock.now,
      sleep: clock.sleep,
      initial: { calls: 3, windowMs: 1000 },
    });
    const stamps: number[] = [];
    const first = Array.from({ length: 3 }, () => limiter.acquire().then(() => stamps.push(clock.now())));
    await Promise.all(first);
    // Stricter limit arrives with callers waiting: 2 per 5 s from now on, counting the 3 just made.
    const waiting = Array.from({ length: 6 }, () => limiter.acquire().then(() => stamps.push(clock.now())));
    limiter.configure({ calls: 2, windowMs: 5000 });
    await Promise.all(waiting);
    const after = stamps.slice(3);
    expect(after).toHaveLength(6);
    expect(busiestWindow(after, 5000)).toBeLessThanOrEqual(2);
    // The first call under the new limit waited for the window of the calls made before the change.
    expect(after[0]! - stamps[2]!).toBeGreaterThanOrEqual(5000);
    expect(limiter.current()).toEqual({ calls: 2, windowMs: 5000 });
  });
});

describe.skipIf(!hasRedis())('shared limiter across replicas', () => {
  it('with a shared Redis every SCB call is logged there (<prefix>:ratelimit:scb:live), /config included', async () => {
    const redis = connectRedis(redisUrl(), silentLogger);
    const key = `scbtest${process.pid}:ratelimit:scb:live`;
    try {
      await redis.eval("return redis.call('DEL', KEYS[1])", { keys: [key], arguments: [] });
      h = scbHarness({ redis: { url: redisUrl(), prefix: `scbtest${process.pid}` } });
      const result = await h.run(entitiesQuery('population(year: 2024)'), {
        r: [{ __typename: 'Municipality', code: '0180' }],
      });
      expect(result.errors).toBeUndefined();
      const logged = await redis.eval("return redis.call('ZCARD', KEYS[1])", { keys: [key], arguments: [] });
      expect(Number(logged)).toBe(h.scb.calls.length); // config + version check + metadata + data = 4
      expect(h.scb.calls).toHaveLength(4);
    } finally {
      await redis.eval("return redis.call('DEL', KEYS[1])", { keys: [key], arguments: [] });
      await redis.close();
    }
  });
});

describe('shared limiter when Redis is down', () => {
  it('waits out a failing Redis once, then uses the in-process limit for redisRetryMs before asking again', async () => {
    const clock = fakeClock();
    let evals = 0;
    let down = true;
    // A Redis that fails after its 1 s timeout (as connectRedis does) while down, and grants when back.
    const redis: RedisEvalClient = {
      async eval() {
        evals += 1;
        if (down) {
          clock.advance(1000);
          throw new Error('rate-limit redis did not answer within 1 s');
        }
        return [1, clock.now()];
      },
    };
    const limiter = createRedisRateLimiter(redis, {
      key: 'sodg:ratelimit:scb',
      calls: 30,
      windowMs: 10_000,
      logger: silentLogger,
      now: clock.now,
      sleep: clock.sleep,
      redisRetryMs: 5_000,
    });
    const started = clock.now();
    const stamps: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () => limiter.acquire().then(() => stamps.push(clock.now()))),
    );
    // One Redis timeout, not one per call (20 calls would otherwise take 20 s, one after the other).
    expect(evals).toBe(1);
    expect(Math.max(...stamps) - started).toBe(1000);
    expect(busiestWindow(stamps, 10_000)).toBeLessThanOrEqual(30);
    // After redisRetryMs Redis is asked again, and used again once it answers.
    down = false;
    clock.advance(5_000);
    await limiter.acquire();
    await limiter.acquire();
    expect(evals).toBe(3);
  });
});
