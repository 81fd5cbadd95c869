import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { createFairQueue } from '../../kit/fair-queue.ts';
import { silentLogger } from '../../kit/logger.ts';
import { createRateLimiter, unlimited } from '../../kit/ratelimit.ts';
import { createTrace, createUpstream } from '../../kit/upstream.ts';
import { fakeClock, ORIGIN, offlineAgent } from './helpers.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('fair agency queue', () => {
  it("serves a second client's first call next, however many calls the first client queued", async () => {
    const queue = createFairQueue({ slots: 1, limiter: unlimited });
    const order: string[] = [];
    const releases: Array<() => void> = [];
    const ask = (client: string, n: number) =>
      queue.acquire(client, undefined).then((release) => {
        order.push(`${client}${n}`);
        releases.push(release);
      });
    const a = Array.from({ length: 200 }, (_, i) => ask('A', i));
    await tick();
    expect(order).toEqual(['A0']); // one slot: A's first call is in flight
    const b = ask('B', 0);
    await tick();
    releases.shift()!();
    await tick();
    // B did not wait behind A's 199 queued calls: it is the very next one.
    expect(order).toEqual(['A0', 'B0']);
    // B starts waiting again (it had nothing queued): it goes first, then both alternate.
    const c = [ask('B', 1), ask('B', 2)];
    for (let i = 0; i < 4; i++) {
      releases.shift()!();
      await tick();
    }
    expect(order).toEqual(['A0', 'B0', 'B1', 'A1', 'B2', 'A2']);
    while (releases.length > 0) {
      releases.shift()!();
      await tick();
    }
    await Promise.all([...a, b, ...c]);
    expect(order).toHaveLength(203);
    expect(queue.waiting()).toBe(0);
  });

  it('never lets more calls through than it has slots', async () => {
    const queue = createFairQueue({ slots: 3, limiter: unlimited });
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const release = await queue.acquire(`c${i % 4}`, undefined);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick();
        inFlight -= 1;
        release();
      }),
    );
    expect(most).toBe(3);
  });

  it('a waiter whose signal aborts leaves the queue and does not hold others', async () => {
    const queue = createFairQueue({ slots: 1, limiter: unlimited });
    const first = await queue.acquire('A', undefined);
    const controller = new AbortController();
    const aborted = queue.acquire('B', controller.signal);
    const after = queue.acquire('C', undefined);
    controller.abort(new Error('deadline'));
    await expect(aborted).rejects.toThrow('deadline');
    expect(queue.waiting()).toBe(1);
    first();
    const release = await after;
    release();
    expect(queue.waiting()).toBe(0);
  });

  it('takes one rate-limit token per call, in the rotation order', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ calls: 1, windowMs: 1_000, now: clock.now, sleep: clock.sleep });
    const queue = createFairQueue({ slots: 10, limiter });
    const stamps: Array<[string, number]> = [];
    await Promise.all([
      ...Array.from({ length: 5 }, () =>
        queue.acquire('A', undefined).then((release) => {
          stamps.push(['A', clock.now()]);
          release();
        }),
      ),
      ...Array.from({ length: 2 }, () =>
        queue.acquire('B', undefined).then((release) => {
          stamps.push(['B', clock.now()]);
          release();
        }),
      ),
    ]);
    // One call per second whoever asks, and B's calls are not left to the end.
    const times = stamps.map(([, t]) => t);
    expect(new Set(times).size).toBe(7);
    expect(stamps.findIndex(([c]) => c === 'B')).toBeLessThanOrEqual(1);
    expect(stamps.slice(0, 4).filter(([c]) => c === 'B')).toHaveLength(2);
  });
});

describe('upstream calls queue per client', () => {
  it("one client's flood of calls to an agency does not delay another client's first call", async () => {
    const agent = offlineAgent();
    const pool = agent.get(ORIGIN);
    const seen: string[] = [];
    pool
      .intercept({ path: (p) => p.startsWith('/item'), method: 'GET' })
      .reply((opts) => {
        seen.push(new URL(opts.path, ORIGIN).searchParams.get('who')!);
        return {
          statusCode: 200,
          data: { ok: true },
          responseOptions: { headers: { 'content-type': 'application/json' } },
        };
      })
      .persist()
      .delay(5);
    const upstream = createUpstream({
      agency: 'test',
      baseUrl: ORIGIN,
      cache: new Keyv(),
      logger: silentLogger,
      dispatcher: agent,
      connections: 1,
      breaker: false,
    });
    const flood = { ...createTrace(), client: 'ip:10.0.0.1' };
    const other = { ...createTrace(), client: 'key:team-b' };
    const floodCalls = Array.from({ length: 40 }, (_, i) =>
      upstream.get({ path: '/item', query: { who: `A${i}` }, parse: (j) => j, trace: flood }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = upstream.get({ path: '/item', query: { who: 'B' }, parse: (j) => j, trace: other });
    await Promise.all([...floodCalls, second]);
    // B is sent as soon as the call in flight when it arrived is done: within the first three.
    expect(seen.indexOf('B')).toBeGreaterThan(0);
    expect(seen.indexOf('B')).toBeLessThanOrEqual(2);
    expect(seen).toHaveLength(41);
    await upstream.close();
  });
});
