import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { url } from '../../kit/config.ts';
import { DateTime } from '../../kit/scalars.ts';
import { createSubgraph } from '../../kit/subgraph.ts';
import { createScbClient } from './client.ts';
import type { ScbContext } from './context.ts';
import { cost } from './cost.ts';
import { type AdaptiveRateLimiter, createAdaptiveRateLimiter, FALLBACK_LIMIT } from './limiter.ts';
import { createLoaders } from './loaders.ts';
import { createResolvers } from './resolvers.ts';
import { createScbSimulator } from './simulator/index.ts';

export const typeDefs = parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

export const scbEnv = {
  SCB_API_URL: url({
    description: 'SCB Statistikdatabasen PxWebApi 2.0 base URL (json-stat2)',
    default: 'https://statistikdatabasen.scb.se/api/v2',
  }),
};

/** Test seams of the SCB module (defaults: real timers). */
export interface ScbModuleOptions {
  /** Sleep used by the rate limiter and retry backoff (tests pass one that advances a fake clock). */
  sleep?: (ms: number) => Promise<void>;
}

/** SCB subgraph: population, income and any of SCB's ~4 000 tables. Källa: SCB (CC0). */
export function createScbModule(options: ScbModuleOptions = {}) {
  return createSubgraph({
    name: 'scb',
    agency: 'SCB',
    attribution:
      'Källa: SCB — Statistics Sweden, Statistikdatabasen, CC0 1.0 (attribution optional, "Källa: SCB").',
    typeDefs,
    env: scbEnv,
    cost,
    simulator: (deps) => createScbSimulator(deps),
    setup(kit) {
      // One limiter for every SCB call (/config included): 3 calls/1 s until /config says otherwise.
      // With a shared Redis (the gateway's CACHE_URL) the call log lives there, so all replicas
      // together stay under SCB's per-IP limit; without Redis it is per process.
      const sleep = options.sleep ? { sleep: options.sleep } : {};
      const adaptive: AdaptiveRateLimiter =
        kit.sharedRateLimiter('scb', { ...FALLBACK_LIMIT, marginMs: 100, ...sleep }) ??
        createAdaptiveRateLimiter({ now: kit.now, ...sleep });
      const upstream = kit.upstream({
        agency: 'scb',
        baseUrl: kit.config.SCB_API_URL,
        defaultTtlMs: 24 * 60 * 60_000,
        rateLimiter: adaptive,
        connections: 4,
        // 429 without Retry-After: back off about a second, a few times, within a bounded budget.
        retries: 3,
        retryBaseMs: 500,
        maxRetryAfterMs: 15_000,
        // Calls queue behind SCB's rate limit rather than fail: allow for the wait.
        totalTimeoutMs: 60_000,
        ...sleep,
      });
      const client = createScbClient({
        upstream,
        limiter: adaptive,
        logger: kit.logger,
        now: kit.now,
      });
      return {
        resolvers: { ...createResolvers(), DateTime },
        context: (shared): ScbContext => ({
          trace: shared.trace,
          client,
          loaders: createLoaders(client, shared.trace),
        }),
      };
    },
  });
}

export const scb = createScbModule();
