/**
 * Redis trouble is not an outage: after a few failures the cache (and the other Redis users) switch
 * to this process's own store for a while instead of waiting on Redis for every call, and say so in
 * one log line, not one per call.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientLimits } from '../../gateway/src/clients.ts';
import { cacheGet, cacheSet, cacheState, closeCache, createCache } from '../../kit/cache.ts';
import { createLogger } from '../../kit/logger.ts';
import { createRedisGuard } from '../../kit/redis-guard.ts';
import { freePort } from '../gateway/ports.ts';
import { fakeClock } from './helpers.ts';

function capturingLogger() {
  const lines: Array<{ level: string; msg: string }> = [];
  const logger = createLogger('debug', (line) =>
    lines.push(JSON.parse(line) as { level: string; msg: string }),
  );
  return { logger, lines, warnings: () => lines.filter((l) => l.level === 'warn') };
}

/** A TCP server that accepts connections and never answers: a hung Redis. */
async function hungRedis(): Promise<{ url: string; server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `redis://127.0.0.1:${port}`, server, sockets };
}

describe('Redis guard', () => {
  it('opens after the threshold, logs once, probes after the backoff and closes on success', () => {
    const clock = fakeClock();
    const { logger, lines } = capturingLogger();
    const guard = createRedisGuard({ what: 'cache', logger, threshold: 3, retryMs: 5_000, now: clock.now });
    for (let i = 0; i < 2; i++) {
      expect(guard.use()).toBe(true);
      guard.failed(new Error('ECONNREFUSED'));
    }
    expect(guard.state()).toBe('up');
    guard.failed(new Error('ECONNREFUSED'));
    expect(guard.state()).toBe('down');
    for (let i = 0; i < 100; i++) expect(guard.use()).toBe(false);
    clock.advance(5_000);
    expect(guard.use()).toBe(true); // the probe
    expect(guard.use()).toBe(false); // only one probe at a time
    guard.failed(new Error('still down'));
    expect(guard.use()).toBe(false);
    clock.advance(5_000);
    expect(guard.use()).toBe(true);
    guard.ok();
    expect(guard.state()).toBe('up');
    expect(guard.use()).toBe(true);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [
        'warn',
        "Redis (cache) is failing; using this process's own cache until it answers again (probed every 5 s)",
      ],
      ['info', 'Redis (cache) answers again; using it'],
    ]);
  });
});

describe('cache with a hung Redis', () => {
  let cache: Keyv | undefined;
  let stopServer: (() => Promise<void>) | undefined;
  afterEach(async () => {
    if (cache) await closeCache(cache, 200);
    await stopServer?.();
    cache = undefined;
  });

  it('stops waiting on Redis after three timeouts and keeps what it writes meanwhile', async () => {
    const redis = await hungRedis();
    stopServer = async () => {
      for (const s of redis.sockets) s.destroy();
      await new Promise((resolve) => redis.server.close(resolve));
    };
    const { logger, warnings } = capturingLogger();
    cache = createCache({ url: redis.url, logger });
    // Count how often a read really goes to Redis.
    let asked = 0;
    const get = cache.get.bind(cache);
    cache.get = ((...args: Parameters<Keyv['get']>) => {
      asked += 1;
      return get(...args);
    }) as Keyv['get'];
    for (let i = 0; i < 3; i++) expect(await cacheGet(cache, `k${i}`, 50, logger)).toBeUndefined();
    expect(cacheState(cache)).toBe('down');
    for (let i = 0; i < 50; i++) await cacheGet(cache, `k${i}`, 50, logger);
    expect(asked).toBe(3);
    await cacheSet(cache, 'answer', { n: 42 }, 60_000, 50, logger);
    expect(await cacheGet(cache, 'answer', 50, logger)).toEqual({ n: 42 });
    expect(warnings().map((w) => w.msg)).toEqual([
      "Redis (cache) is failing; using this process's own cache until it answers again (probed every 5 s)",
    ]);
  });
});

describe('client limits without Redis', () => {
  it('fall back to this process when Redis is unreachable, and still limit', async () => {
    const { logger, warnings } = capturingLogger();
    const limits = createClientLimits({
      requests: { perMinute: 60, burst: 5 },
      cost: { perMinute: 0, burst: 1 },
      // A port nothing listens on.
      url: `redis://127.0.0.1:${await freePort()}`,
      logger,
      redisTimeoutMs: 100,
    });
    const results = [];
    for (let i = 0; i < 8; i++) results.push(await limits.take('ip:10.0.0.1', 'requests', 1));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results[7]).toEqual({ ok: false, retryAfterMs: expect.any(Number) });
    expect(limits.state()).toBe('down');
    expect(warnings()).toHaveLength(1);
    await limits.close();
  });
});
