import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../kit/logger.ts';
import { createRateLimiter } from '../../kit/ratelimit.ts';
import { createUpstream } from '../../kit/upstream.ts';
import { anyJson, fakeClock, ORIGIN, offlineAgent } from './helpers.ts';

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

describe('sliding-window rate limiter', () => {
  it('never allows more than N acquisitions per window under concurrency (fake clock)', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ calls: 3, windowMs: 1_000, now: clock.now, sleep: clock.sleep });
    const stamps: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () => limiter.acquire().then(() => stamps.push(clock.now()))),
    );
    expect(stamps).toHaveLength(20);
    expect(busiestWindow(stamps, 1_000)).toBe(3);
    // It also does not starve: 20 calls at 3 per second take a little over 6 windows.
    expect(stamps.at(-1)! - stamps[0]!).toBeLessThan(7_000);
  });

  it('SCB-style limit (30 per 10 s) holds while time also passes between bursts', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ calls: 30, windowMs: 10_000, now: clock.now, sleep: clock.sleep });
    const stamps: number[] = [];
    for (let burst = 0; burst < 4; burst++) {
      await Promise.all(
        Array.from({ length: 25 }, () => limiter.acquire().then(() => stamps.push(clock.now()))),
      );
      clock.advance(3_000);
    }
    expect(stamps).toHaveLength(100);
    expect(busiestWindow(stamps, 10_000)).toBeLessThanOrEqual(30);
  });

  it('an aborted waiter fails without blocking the ones behind it', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ calls: 1, windowMs: 1_000, now: clock.now, sleep: clock.sleep });
    const aborted = AbortSignal.abort();
    const results = await Promise.allSettled([
      limiter.acquire(),
      limiter.acquire(aborted),
      limiter.acquire(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('a waiter whose deadline passes while it waits gives up without taking a token', async () => {
    const clock = fakeClock();
    const deadline = new AbortController();
    const limiter = createRateLimiter({
      calls: 1,
      windowMs: 1_000,
      now: clock.now,
      // The deadline of the second caller expires during its wait for the next window: its wait
      // would last the window, but the abort ends it at once (the clock has not moved).
      sleep: async (ms) => {
        if (!deadline.signal.aborted) {
          deadline.abort(new Error('deadline'));
          return new Promise<void>(() => undefined);
        }
        await clock.sleep(ms);
      },
    });
    const granted: string[] = [];
    const results = await Promise.allSettled([
      limiter.acquire().then(() => granted.push(`a@${clock.now()}`)),
      limiter.acquire(deadline.signal).then(() => granted.push(`b@${clock.now()}`)),
      limiter.acquire().then(() => granted.push(`c@${clock.now()}`)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const start = fakeClock().now();
    // c gets the token b would have wasted: the next window, not the one after.
    expect(granted).toEqual([`a@${start}`, `c@${start + 1_001}`]);
  });

  it('bounds the calls an upstream sends, even for many distinct concurrent requests', async () => {
    const clock = fakeClock();
    const agent = offlineAgent();
    const sentAt: number[] = [];
    agent
      .get(ORIGIN)
      .intercept({ path: /^\/item\/\d+$/, method: 'GET' })
      .reply(200, () => {
        sentAt.push(clock.now());
        return { ok: true };
      })
      .times(12);
    const upstream = createUpstream({
      agency: 'test',
      baseUrl: ORIGIN,
      cache: new Keyv(),
      logger: silentLogger,
      dispatcher: agent,
      now: clock.now,
      sleep: clock.sleep,
      rateLimiter: createRateLimiter({ calls: 4, windowMs: 10_000, now: clock.now, sleep: clock.sleep }),
    });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => upstream.get({ path: `/item/${i}`, parse: anyJson })),
    );
    expect(sentAt).toHaveLength(12);
    expect(busiestWindow(sentAt, 10_000)).toBe(4);
    agent.assertNoPendingInterceptors();
    await agent.close();
  });
});
