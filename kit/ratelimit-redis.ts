import type { Logger } from './logger.ts';
import {
  createRateLimiter,
  createRateLimiters,
  type RateLimiter,
  realSleep,
  sleepUnlessAborted,
} from './ratelimit.ts';
import { keyvRedis } from './redis-module.ts';

/**
 * A sliding-window rate limiter whose log lives in Redis, so that every gateway replica sharing the
 * Redis counts against one limit (an agency's limit is per client IP, and replicas behind one NAT
 * share it). One Lua script checks and records a call atomically. If Redis fails, the limiter falls
 * back to an in-process one with the same limit (logged once), so callers still queue rather than fail,
 * and keeps to it for `redisRetryMs` before asking Redis again.
 */

/** The part of a Redis client this limiter uses (node-redis v5 `eval`). */
export interface RedisEvalClient {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

export interface RedisRateLimitOptions {
  /** Redis key of the log, e.g. `sodg:ratelimit:scb`. */
  key: string;
  calls: number;
  windowMs: number;
  /** Added to the window to absorb network jitter (default 0). */
  marginMs?: number;
  logger: Logger;
  /** Clock; when omitted, Redis server time is used (one clock for all replicas). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * After Redis fails, how long calls use the in-process fallback before Redis is tried again
   * (default 5 s). Without it every call would first wait out Redis's timeout, one after the other.
   */
  redisRetryMs?: number;
}

export interface SharedRateLimiter extends RateLimiter {
  /** Changes the limit (e.g. after reading an agency's published config); the shared log is kept. */
  configure(limit: { calls: number; windowMs: number }): void;
  current(): { calls: number; windowMs: number };
}

/** Atomically: drop entries older than the window; record the call if under the limit, else say how long to wait. */
const SCRIPT = `
local key = KEYS[1]
local window = tonumber(ARGV[2])
local calls = tonumber(ARGV[3])
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n < calls then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window + 1000)
  return {1, now}
end
local oldest = redis.call('ZRANGE', key, n - calls, n - calls, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
`;

let sequence = 0;

export function createRedisRateLimiter(
  client: RedisEvalClient,
  options: RedisRateLimitOptions,
): SharedRateLimiter {
  const sleep = options.sleep ?? realSleep;
  const margin = options.marginMs ?? 0;
  const id = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  let limit = { calls: options.calls, windowMs: options.windowMs };
  const local = () =>
    createRateLimiter({
      calls: limit.calls,
      windowMs: limit.windowMs + margin,
      ...(options.now ? { now: options.now } : {}),
      sleep,
    });
  let fallback = local();
  let warned = false;
  let chain: Promise<void> = Promise.resolve();
  const clock = options.now ?? Date.now;
  const redisRetryMs = options.redisRetryMs ?? 5_000;
  /** Until when Redis is considered down (calls go straight to the fallback). */
  let redisDownUntil = Number.NEGATIVE_INFINITY;

  /** Resolves once the call is recorded; waits as long as Redis says otherwise. */
  async function take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      if (clock() < redisDownUntil) {
        await fallback.acquire(signal);
        return;
      }
      let reply: unknown;
      try {
        reply = await client.eval(SCRIPT, {
          keys: [options.key],
          arguments: [
            options.now ? String(options.now()) : '',
            String(limit.windowMs + margin),
            String(limit.calls),
            `${id}-${++sequence}`,
          ],
        });
      } catch (err) {
        if (!warned) {
          options.logger.warn(
            { err, key: options.key },
            'rate-limit store unavailable; limiting in this process only',
          );
          warned = true;
        }
        redisDownUntil = clock() + redisRetryMs;
        await fallback.acquire(signal);
        return;
      }
      warned = false;
      const [granted, value] = Array.isArray(reply) ? reply.map(Number) : [Number.NaN, Number.NaN];
      if (granted === 1) return;
      await sleepUnlessAborted(sleep, Number.isFinite(value) && value! > 0 ? value! + 1 : 1, signal);
    }
  }

  return {
    acquire(signal) {
      // FIFO within this process: one waiter polls Redis at a time.
      const turn = chain.then(() => take(signal));
      chain = turn.catch(() => undefined);
      return turn;
    },
    configure(next) {
      if (next.calls === limit.calls && next.windowMs === limit.windowMs) return;
      limit = { ...next };
      fallback = local();
    },
    current: () => limit,
  };
}

/** A node-redis client for the limiter, connected lazily; errors are logged, never thrown at callers. */
export function connectRedis(url: string, logger: Logger): RedisEvalClient & { close(): Promise<void> } {
  const client = keyvRedis().createClient({
    url,
    socket: { connectTimeout: 1000, reconnectStrategy: (n) => Math.min(n * 200, 5000) },
  });
  client.on('error', (err: unknown) => logger.debug({ err }, 'rate-limit redis error'));
  let connecting: Promise<unknown> | undefined;
  const ready = () => {
    connecting ??= client.connect().catch((err: unknown) => {
      connecting = undefined;
      throw err;
    });
    return connecting;
  };
  return {
    async eval(script, opts) {
      // A Redis that is down or slow must not hold callers: after 1 s the limiter falls back to local.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('rate-limit redis did not answer within 1 s')), 1000);
        timer.unref();
      });
      try {
        return await Promise.race([ready().then(() => client.eval(script, opts)), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (client.isOpen) await client.close();
    },
  };
}

/**
 * The Redis key of a shared rate-limit log: `<prefix>:ratelimit:<name>:<mode>`, record mode counting
 * as live (it calls the live APIs), so a demo's simulated calls never count against live ones.
 */
export function rateLimitKey(prefix: string, name: string, mode: string): string {
  return `${prefix}:ratelimit:${name}:${mode === 'record' ? 'live' : mode}`;
}

/**
 * The limiter of each agency from `{ agency: { calls, windowMs } }` (RATE_LIMITS), for the gateway and
 * a subgraph run alone alike:
 * - offline: none (the simulators publish no limits; RATE_LIMITS is politeness towards the agencies);
 * - with `redis` (CACHE_URL, CACHE_PREFIX): counted in the shared Redis, so that all replicas
 *   together keep to each limit (an agency sees one client IP behind NAT), each falling back to an
 *   in-process limiter while Redis is down; keys `<prefix>:ratelimit:<agency>:<mode>`, like the
 *   subgraphs' own shared limiters;
 * - otherwise: one in-process sliding window per agency.
 */
export function createAgencyRateLimiters(
  limits: Record<string, { calls: number; windowMs: number }>,
  options: { mode: string; redis?: { url: string; prefix: string } | undefined; logger: Logger },
): { limiters: Record<string, RateLimiter>; close(): Promise<void> } {
  if (options.mode === 'offline') return { limiters: {}, close: async () => undefined };
  if (!options.redis) return { limiters: createRateLimiters(limits), close: async () => undefined };
  const { url, prefix } = options.redis;
  const client = connectRedis(url, options.logger);
  const limiters: Record<string, RateLimiter> = {};
  for (const [agency, limit] of Object.entries(limits)) {
    limiters[agency] = createRedisRateLimiter(client, {
      key: rateLimitKey(prefix, agency, options.mode),
      ...limit,
      logger: options.logger,
    });
  }
  return { limiters, close: () => client.close() };
}
