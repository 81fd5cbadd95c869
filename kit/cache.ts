import Keyv from 'keyv';
import { LRUCache } from 'lru-cache';
import type { Logger } from './logger.ts';
import { createRedisGuard, type RedisGuard } from './redis-guard.ts';
import { keyvRedis } from './redis-module.ts';

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
 * The levels of one cache made by `createCache`. `local` holds parsed values, deep-frozen, in this
 * process: in memory mode it is the whole cache, with Redis it is a first level in front of it (and
 * the fallback while Redis is down). A hit there costs neither a JSON parse nor a copy: the issue's
 * profiles had 7–19 % of the gateway's CPU in re-parsing cached answers. Readers share the frozen
 * value instead of getting a copy each: a reader that tries to change it fails at once (strict mode)
 * rather than altering what the next reader gets, and a copy is made only where a caller needs one.
 */
interface Levels {
  local: LRUCache<string, LocalEntry>;
  /** The guard of the Redis behind `local` (CACHE_URL); undefined in memory mode. */
  redis?: RedisGuard;
}

/** A value of the local level with its expiry (epoch ms on `Date.now`, like keyv's own). */
interface LocalEntry {
  value: unknown;
  expires: number | undefined;
}

const levels = new WeakMap<Keyv, Levels>();

/**
 * Freezes a JSON-like value and everything in it, so that it can be shared by every reader. Returns
 * the value. Objects already frozen are assumed frozen all the way down (values built from frozen
 * parts).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item);
  } else {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Keyv's view of the local level (memory mode): keyv stores `{ value, expires }` objects as they are. */
function localStore(local: LRUCache<string, LocalEntry>): Map<string, unknown> {
  // keyv treats any object with get/set/delete/clear as a Map-like store.
  return {
    get: (key: string) => local.get(key),
    set(key: string, entry: LocalEntry) {
      if (entry !== undefined && entry !== null) local.set(key, deepFreeze(entry));
      return this;
    },
    delete: (key: string) => local.delete(key),
    clear: () => local.clear(),
    has: (key: string) => local.has(key),
  } as unknown as Map<string, unknown>;
}

/**
 * The cache every upstream shares. Keys are namespaced by the caller (`smhi:GET https://…`).
 * A store failure is logged and read as a miss, never thrown at a resolver.
 */
export function createCache(options: CacheOptions): Keyv {
  const prefix = options.prefix ?? 'sodg';
  const local = new LRUCache<string, LocalEntry>({ max: options.maxEntries ?? 10_000 });
  if (!options.url) {
    // Values as they are (no serialisation): this store is the local level itself.
    const cache = new Keyv({
      store: localStore(local),
      namespace: prefix,
      useKeyPrefix: false,
      serialize: undefined,
      deserialize: undefined,
    } as unknown as ConstructorParameters<typeof Keyv>[0]);
    cache.on('error', (err: unknown) => options.logger.warn({ err }, 'cache unavailable; treating as miss'));
    levels.set(cache, { local });
    return cache;
  }
  // One prefix, set on the Redis adapter (`sodg:smhi:v1:live:GET …`): keyv's own key prefix on top
  // of the adapter's namespace wrote every key as `sodg::sodg:…`.
  const cache = new Keyv({
    store: new (keyvRedis().default)(options.url, {
      throwOnConnectError: false,
      connectionTimeout: 1000,
      namespace: prefix,
      keyPrefixSeparator: ':',
    }),
    namespace: prefix,
    useKeyPrefix: false,
    // Plain JSON: entries are JSON data (no Buffers to escape). keyv's default deserializer runs a
    // JSON.parse reviver that made a read cost as much as parsing the agency's response anew (~5×).
    serialize: JSON.stringify,
    deserialize: (text: string) => JSON.parse(text) as never,
  });
  const guard = createRedisGuard({
    what: options.what ?? 'cache',
    logger: options.logger,
    ...(options.redisRetryMs !== undefined ? { retryMs: options.redisRetryMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  levels.set(cache, { local, redis: guard });
  // Failures are counted by the guard, which logs a change of state once; not a line per call.
  cache.on('error', (err: unknown) => options.logger.debug({ err }, 'cache store error'));
  return cache;
}

/** `memory` for an in-process cache; `up` or `down` (in-process fallback in use) for Redis. */
export function cacheState(cache: Keyv): 'memory' | 'up' | 'down' {
  return levels.get(cache)?.redis?.state() ?? 'memory';
}

/** The local level's value of `key` while it has not expired. */
function localGet(level: Levels, key: string): LocalEntry | undefined {
  const entry = level.local.get(key);
  if (entry === undefined) return undefined;
  if (entry.expires !== undefined && entry.expires <= Date.now()) {
    level.local.delete(key);
    return undefined;
  }
  return entry;
}

/**
 * Reads a cache entry; any store error or a store slower than `timeoutMs` is a miss. A value from
 * `createCache`'s cache is deep-frozen and shared by every reader (see `Levels`).
 *
 * `current`: with Redis behind the local level, whether a local value may be served without asking
 * Redis (default: always). An upstream passes "still fresh and of the wanted data version": another
 * replica may have refreshed the entry in Redis since this process read it.
 */
export async function cacheGet<T>(
  cache: Keyv,
  key: string,
  timeoutMs: number,
  logger: Logger,
  current?: (value: T) => boolean,
): Promise<T | undefined> {
  const level = levels.get(cache);
  if (!level) {
    // A Keyv made elsewhere (tests, the benchmark's empty cache): keyv alone.
    try {
      return await withTimeout(cache.get<T>(key), timeoutMs);
    } catch (err) {
      logger.warn({ err, key }, 'cache read failed; treating as miss');
      return undefined;
    }
  }
  const local = localGet(level, key);
  const guard = level.redis;
  if (!guard) return local?.value as T | undefined;
  if (local && (!current || current(local.value as T))) return local.value as T;
  // While Redis is down, this process's own entries are all there is.
  if (!guard.use()) return local?.value as T | undefined;
  try {
    const raw = await withTimeout(
      cache.get<T>(key, { raw: true }) as Promise<{ value?: T; expires?: number | null } | undefined>,
      timeoutMs,
    );
    guard.ok();
    if (raw?.value === undefined || raw.value === null) return local?.value as T | undefined;
    const value = deepFreeze(raw.value);
    level.local.set(key, { value, expires: raw.expires ?? undefined });
    return value;
  } catch (err) {
    guard.failed(err);
    return local?.value as T | undefined;
  }
}

/**
 * Writes a cache entry; failures are logged, never thrown. With `createCache`'s cache the value is
 * deep-frozen in place: the writer shares it with every later reader.
 */
export async function cacheSet(
  cache: Keyv,
  key: string,
  value: unknown,
  ttlMs: number,
  timeoutMs: number,
  logger: Logger,
) {
  const level = levels.get(cache);
  if (!level) {
    try {
      await withTimeout(cache.set(key, value, ttlMs), timeoutMs);
    } catch (err) {
      logger.warn({ err, key }, 'cache write failed');
    }
    return;
  }
  level.local.set(key, { value: deepFreeze(value), expires: Date.now() + ttlMs });
  const guard = level.redis;
  // Without Redis, or while it is down, the local level is the cache.
  if (!guard?.use()) return;
  try {
    await withTimeout(cache.set(key, value, ttlMs), timeoutMs);
    guard.ok();
  } catch (err) {
    guard.failed(err);
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
