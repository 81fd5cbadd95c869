import { createRequire } from 'node:module';

type KeyvRedisModule = typeof import('@keyv/redis');

const requireHere = createRequire(import.meta.url);
let loaded: KeyvRedisModule | undefined;

/**
 * @keyv/redis (with node-redis, about 55 ms to load) on first use, so that a gateway or subgraph
 * without CACHE_URL never loads it and starts that much sooner. Loaded with `require`, synchronously,
 * because the cache and the limiters are created synchronously: its CommonJS build, whose Redis
 * adapter and client are the same classes as the ES build's (node-redis is one CommonJS package).
 */
export function keyvRedis(): KeyvRedisModule {
  loaded ??= requireHere('@keyv/redis') as KeyvRedisModule;
  return loaded;
}
