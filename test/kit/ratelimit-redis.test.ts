import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { connectRedis, createRedisRateLimiter, type RedisEvalClient } from '../../kit/ratelimit-redis.ts';
import { hasRedis, redisUrl } from '../helpers/services.ts';
import { fakeClock } from './helpers.ts';

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

// A real Redis on 127.0.0.1:6379 (the same kind of store CACHE_URL points replicas at).
const redis = connectRedis(redisUrl(), silentLogger);
const key = `sodg:test:ratelimit:${process.pid}:${Date.now()}`;

beforeAll(async () => {
  await redis.eval("return redis.call('DEL', KEYS[1])", { keys: [key], arguments: [] });
});
afterAll(async () => {
  await redis.eval("return redis.call('DEL', KEYS[1])", { keys: [key], arguments: [] });
  await redis.close();
});

describe.skipIf(!hasRedis())('Redis-backed sliding-window limiter', () => {
  it('two replicas sharing one Redis never exceed the limit together (fake clock)', async () => {
    const clock = fakeClock();
    // The times Redis granted (the script's answer), which is what the limit is about.
    const stamps: number[] = [];
    const recording: RedisEvalClient = {
      async eval(script, opts) {
        const reply = await redis.eval(script, opts);
        if (Array.isArray(reply) && Number(reply[0]) === 1) stamps.push(Number(reply[1]));
        return reply;
      },
    };
    const opts = { key, calls: 5, windowMs: 1000, logger: silentLogger, now: clock.now, sleep: clock.sleep };
    const replicaA = createRedisRateLimiter(recording, opts);
    const replicaB = createRedisRateLimiter(recording, opts);
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? replicaA : replicaB).acquire()));
    expect(stamps).toHaveLength(40);
    expect(busiestWindow(stamps, 1000)).toBeLessThanOrEqual(5);
  });

  it('a new limit applies to the shared log at once', async () => {
    const clock = fakeClock(Date.parse('2030-01-01T00:00:00Z'));
    const limiter = createRedisRateLimiter(redis, {
      key: `${key}:cfg`,
      calls: 30,
      windowMs: 10_000,
      logger: silentLogger,
      now: clock.now,
      sleep: clock.sleep,
    });
    limiter.configure({ calls: 3, windowMs: 1000 });
    const stamps: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, () => limiter.acquire().then(() => stamps.push(clock.now()))),
    );
    expect(busiestWindow(stamps, 1000)).toBeLessThanOrEqual(3);
    expect(limiter.current()).toEqual({ calls: 3, windowMs: 1000 });
    await redis.eval("return redis.call('DEL', KEYS[1])", { keys: [`${key}:cfg`], arguments: [] });
  });

  it('falls back to an in-process limit when Redis fails, still queuing callers', async () => {
    const clock = fakeClock();
    const broken: RedisEvalClient = { eval: () => Promise.reject(new Error('connection refused')) };
    const limiter = createRedisRateLimiter(broken, {
      key,
      calls: 2,
      windowMs: 1000,
      logger: silentLogger,
      now: clock.now,
      sleep: clock.sleep,
    });
    const stamps: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, () => limiter.acquire().then(() => stamps.push(clock.now()))),
    );
    expect(stamps).toHaveLength(6);
    expect(busiestWindow(stamps, 1000)).toBeLessThanOrEqual(2);
  });
});
