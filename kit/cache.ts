import KeyvRedis from '@keyv/redis';
import Keyv, { type KeyvStoreAdapter } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { Logger } from './logger.ts';
import { createRedisGuard, type RedisGuard } from './redis-guard.ts';

/** Options of the shared upstream cache. */
export interface CacheOptions {
  /** `redis://…` or `rediss://…` to share the cache between replicas; unset = in-memory LRU. */
  url?: string | undefined;
  /** Maximum entries of the in-memory LRU (default 10 000). */
  maxEntries?: number;
  /**
   * First part of every Redis key (default `sodg`): several deployments (a demo and a live
   * gateway, staging and production) can share one Redis without sharing entries.
   */
  prefix?: string;
  logger: Logger;
  /** After Redis fails, how long the in-process fallback is used before Redis is probed (default 5 s). */
  redisRetryMs?: number;
  now?: () => number;
  /** What the cache holds, in log lines (default `cache`). */
  what?: string;
}

/**
 * A Redis-backed cache's fallback: while Redis is down (its guard open), reads and writes go to an
 * in-process LRU instead of waiting on Redis for every call.
 */
const fallbacks = new WeakMap<Keyv, { guard: RedisGuard; local: Keyv }>();

/** A bounded in-memory store: keyv's own Map store would grow without limit. */
function lruStore(maxEntries: number): Map<string, unknown> {
  const lru = new LRUCache<string, NonNullable<unknown>>({ max: maxEntries });
  // keyv treats any object with get/set/delete/clear as a Map-like store.
  return {
    get: (key: string) => lru.get(key),
    set(key: string, value: unknown) {
      if (value !== undefined && value !== null) lru.set(key, value);
      return this;
    },
    delete: (key: string) => lru.delete(key),
    clear: () => lru.clear(),
    has: (key: string) => lru.has(key),
  } as unknown as Map<string, unknown>;
}

/**
 * The cache every upstream shares. Keys are namespaced by the caller (`smhi:GET https://…`).
 * A store failure is logged and read as a miss, never thrown at a resolver.
 */
export function createCache(options: CacheOptions): Keyv {
  const prefix = options.prefix ?? 'sodg';
  // One prefix, set on the Redis adapter (`sodg:smhi:v1:live:GET …`): keyv's own key prefix on top
  // of the adapter's namespace wrote every key as `sodg::sodg:…`.
  const store: KeyvStoreAdapter | Map<string, unknown> = options.url
    ? new KeyvRedis(options.url, {
        throwOnConnectError: false,
        connectionTimeout: 1000,
        namespace: prefix,
        keyPrefixSeparator: ':',
      })
    : lruStore(options.maxEntries ?? 10_000);
  const cache = new Keyv({
    store,
    namespace: prefix,
    useKeyPrefix: false,
    // Plain JSON: entries are JSON data (no Buffers to escape). keyv's default deserializer runs a
    // JSON.parse reviver that made a hit on a forecast cost as much as parsing SMHI's response anew
    // (~5× this). Every reader still gets its own copy, so a resolver cannot alter the cached value.
    serialize: JSON.stringify,
    deserialize: (text: string) => JSON.parse(text) as never,
  });
  if (options.url) {
    const guard = createRedisGuard({
      what: options.what ?? 'cache',
      logger: options.logger,
      ...(options.redisRetryMs !== undefined ? { retryMs: options.redisRetryMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    const local = new Keyv({ store: lruStore(options.maxEntries ?? 10_000), namespace: prefix });
    fallbacks.set(cache, { guard, local });
    // Failures are counted by the guard, which logs a change of state once; not a line per call.
    cache.on('error', (err: unknown) => options.logger.debug({ err }, 'cache store error'));
  } else {
    cache.on('error', (err: unknown) => options.logger.warn({ err }, 'cache unavailable; treating as miss'));
  }
  return cache;
}

/** `memory` for an in-process cache; `up` or `down` (in-process fallback in use) for Redis. */
export function cacheState(cache: Keyv): 'memory' | 'up' | 'down' {
  return fallbacks.get(cache)?.guard.state() ?? 'memory';
}

/** Reads a cache entry; any store error or a store slower than `timeoutMs` is a miss. */
export async function cacheGet<T>(
  cache: Keyv,
  key: string,
  timeoutMs: number,
  logger: Logger,
): Promise<T | undefined> {
  const fallback = fallbacks.get(cache);
  if (fallback && !fallback.guard.use()) return fallback.local.get<T>(key);
  try {
    const value = await withTimeout(cache.get<T>(key), timeoutMs);
    fallback?.guard.ok();
    return value;
  } catch (err) {
    if (!fallback) {
      logger.warn({ err, key }, 'cache read failed; treating as miss');
      return undefined;
    }
    fallback.guard.failed(err);
    return fallback.local.get<T>(key);
  }
}

/** Writes a cache entry; failures are logged, never thrown. */
export async function cacheSet(
  cache: Keyv,
  key: string,
  value: unknown,
  ttlMs: number,
  timeoutMs: number,
  logger: Logger,
) {
  const fallback = fallbacks.get(cache);
  if (fallback && !fallback.guard.use()) {
    await fallback.local.set(key, value, ttlMs);
    return;
  }
  try {
    await withTimeout(cache.set(key, value, ttlMs), timeoutMs);
    fallback?.guard.ok();
  } catch (err) {
    if (!fallback) {
      logger.warn({ err, key }, 'cache write failed');
      return;
    }
    fallback.guard.failed(err);
    await fallback.local.set(key, value, ttlMs);
  }
}

/**
 * Closes the cache's connection: gracefully (pending writes flushed) within `timeoutMs` (default 1 s),
 * else by force. A Redis that is down keeps the client reconnecting, and a graceful close then waits
 * forever for commands that never go out: shutdown must not hang on it.
 */
export async function closeCache(cache: Keyv, timeoutMs = 1_000): Promise<void> {
  const store = cache.store as { disconnect?: (force?: boolean) => Promise<void> };
  if (typeof store.disconnect !== 'function') return;
  try {
    await withTimeout(store.disconnect(), timeoutMs);
  } catch {
    await store.disconnect(true).catch(() => undefined);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
